"""The Approvals page's queue: pending certifications filtered by partner, vendor and age.

Read side only (the reviews themselves are core.directory.certifications). Filtering and
counting happen in the database: a queue of thousands is never loaded to be filtered in
Python. A certification's vendor comes from the catalogue, so "vendor" filters on the
catalogue keys of that vendor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from core.access import ensure_admin, fresh_actor
from core.directory.certifications import PendingCertification, _view
from core.models import CERT_PENDING, AccountPublic, Partner, PartnerCertification
from core.taxonomy import get_taxonomy

AGE_CHOICES = (0, 7, 30)  # "any age", "older than 7 days", "older than 30 days"


@dataclass(frozen=True)
class ApprovalQueue:
    items: list[PendingCertification]  # oldest first, at most ``limit``
    matching: int  # pending items the filters keep
    total: int  # every pending item
    by_vendor: dict[str, int]  # pending items per vendor (unfiltered), vendors A-Z
    oldest: datetime | None  # submission time of the oldest pending item


def _like(text: str) -> str:
    escaped = text.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def approval_queue(
    *,
    session: Session,
    actor: AccountPublic,
    now: datetime,
    partner: str = "",
    vendor: str = "",
    older_than_days: int = 0,
    limit: int = 100,
) -> ApprovalQueue:
    """Pending certifications kept by the filters, oldest first. Administrators only.

    ``partner``: part of the partner's name (any case) or its number; ``vendor``: a catalogue
    vendor ("" = any); ``older_than_days``: submitted at least that many days before ``now``.
    """
    ensure_admin(fresh_actor(session, actor))
    catalogue = get_taxonomy().certifications
    pending = col(PartnerCertification.status) == CERT_PENDING
    conditions = [pending]
    text = partner.strip()
    if text.isdigit() and len(text) <= 12:
        conditions.append(col(PartnerCertification.partner_id) == int(text))
    elif text:
        conditions.append(func.lower(col(Partner.name)).like(_like(text), escape="\\"))
    if vendor:
        keys = [k for k, c in catalogue.items() if c.vendor == vendor]
        conditions.append(col(PartnerCertification.certification_key).in_(keys))
    if older_than_days > 0:
        cutoff = now - timedelta(days=older_than_days)
        conditions.append(col(PartnerCertification.submitted_at) <= cutoff)
    joined = select(PartnerCertification, Partner.name).join(
        Partner, col(Partner.id) == PartnerCertification.partner_id
    )
    rows = session.exec(
        joined.where(*conditions)
        .order_by(col(PartnerCertification.submitted_at), col(PartnerCertification.id))
        .limit(limit)
    ).all()
    matching = session.exec(
        select(func.count())
        .select_from(PartnerCertification)
        .join(Partner, col(Partner.id) == PartnerCertification.partner_id)
        .where(*conditions)
    ).one()
    per_key = session.exec(
        select(PartnerCertification.certification_key, func.count())
        .where(pending)
        .group_by(PartnerCertification.certification_key)
    ).all()
    oldest = session.exec(select(func.min(PartnerCertification.submitted_at)).where(pending)).one()
    by_vendor: dict[str, int] = {}
    for key, count in per_key:
        name = catalogue[key].vendor if key in catalogue else "(not in the catalogue)"
        by_vendor[name] = by_vendor.get(name, 0) + int(count)
    items = [
        PendingCertification(
            certification=_view(row),
            partner_name=name,
            evidences=dict(catalogue[row.certification_key].evidences)
            if row.certification_key in catalogue
            else {},
        )
        for row, name in rows
    ]
    return ApprovalQueue(
        items=items,
        matching=int(matching),
        total=sum(by_vendor.values()),
        by_vendor=dict(sorted(by_vendor.items(), key=lambda kv: kv[0].casefold())),
        oldest=oldest,
    )
