"""A partner's own view of its vendor programs: membership, consent, leads, wins, funds, ROI.

Every figure is the partner's own, so only the partner's accounts and administrators read
it. Rows exist for every vendor the partner has a membership with, a consent setting for,
leads from, or funds from; aggregated by the database per vendor.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select
from sqlmodel import Session

from core.access import PermissionDenied
from core.analytics.program_scope import LEAD, keep_none, ratio, status_flag, won_value
from core.confidentiality import current_viewer
from core.models import (
    FUND_PAID,
    ROLE_ADMIN,
    ROLE_PARTNER,
    AccountPublic,
    FiguresConsent,
    FundRequest,
    ProgramMembership,
)
from core.tables import table_of

SUMMARY_COLUMNS = [
    "vendor", "status", "tier", "figures_consent", "leads", "won", "won_value_usd",
    "funds_paid_usd", "roi",
]  # fmt: skip

MEMBERSHIP = table_of(ProgramMembership)
CONSENT = table_of(FiguresConsent)
FUND = table_of(FundRequest)


def partner_program_summary(
    *, session: Session, viewer: AccountPublic | None, partner_id: int
) -> pd.DataFrame:
    """Per vendor, alphabetically: the membership's status and tier (None without one), the
    consent switch, the leads that vendor sourced, wins and won value from them, funds paid
    by it, and ROI (won value ÷ funds paid; None when nothing was paid)."""
    current = current_viewer(session, viewer)
    if current is None:
        raise PermissionDenied("Please sign in first.")
    if current.role != ROLE_ADMIN and not (
        current.role == ROLE_PARTNER and current.partner_id == partner_id
    ):
        raise PermissionDenied("A partner's programs are visible to that partner only.")
    memberships: dict[str, tuple[str, str | None]] = {}
    # Oldest first, so the newest membership per vendor (a re-application) wins.
    for vendor, status, tier in session.execute(
        select(MEMBERSHIP.c.vendor, MEMBERSHIP.c.status, MEMBERSHIP.c.tier)
        .where(MEMBERSHIP.c.partner_id == partner_id)
        .order_by(MEMBERSHIP.c.requested_at, MEMBERSHIP.c.id)
    ).all():
        memberships[vendor] = (status, tier)
    consents = dict(
        session.execute(
            select(CONSENT.c.vendor, CONSENT.c.granted).where(CONSENT.c.partner_id == partner_id)
        ).all()
    )
    leads = {
        row[0]: row[1:]
        for row in session.execute(
            select(
                LEAD.c.vendor_name,
                func.count(),
                func.sum(status_flag("won")),
                func.sum(won_value()),
            )
            .where(LEAD.c.partner_id == partner_id, LEAD.c.vendor_name.is_not(None))
            .group_by(LEAD.c.vendor_name)
        ).all()
    }
    funds = dict(
        session.execute(
            select(FUND.c.vendor, func.sum(func.coalesce(FUND.c.paid_usd, 0.0)))
            .where(FUND.c.partner_id == partner_id, FUND.c.status == FUND_PAID)
            .group_by(FUND.c.vendor)
        ).all()
    )
    rows = []
    for vendor in sorted(set(memberships) | set(consents) | set(leads) | set(funds)):
        status, tier = memberships.get(vendor, (None, None))
        count, won, value = leads.get(vendor, (0, 0, 0.0))
        paid = float(funds.get(vendor) or 0.0)
        rows.append(
            {
                "vendor": vendor, "status": status, "tier": tier,
                "figures_consent": bool(consents.get(vendor, False)), "leads": int(count),
                "won": int(won or 0), "won_value_usd": float(value or 0.0),
                "funds_paid_usd": paid, "roi": ratio(float(value or 0.0), paid),
            }
        )  # fmt: skip
    return keep_none(pd.DataFrame(rows, columns=SUMMARY_COLUMNS), ("status", "tier", "roi"))
