"""Reading programs: a vendor's members, and the programs a partner is in.

A vendor sees only its own program; a partner only its own memberships; administrators
everything. Whether a member's figures are shared is decided by core.confidentiality.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, or_, select

from core.access import PermissionDenied
from core.confidentiality import current_viewer, figures_shared_with
from core.models import (
    CERT_APPROVED,
    ROLE_ADMIN,
    ROLE_PARTNER,
    ROLE_VENDOR,
    AccountPublic,
    FiguresConsent,
    Partner,
    PartnerCertification,
    ProgramMembership,
)
from core.programs.rules import ProgramError
from core.taxonomy import get_taxonomy


@dataclass(frozen=True)
class Member:
    """One partner in a vendor's program, as that vendor (or an administrator) sees it."""

    membership_id: int
    partner_id: int
    partner_name: str
    tier: str | None
    status: str
    requested_by: str
    since: date | None
    ended_on: date | None
    version: int
    specializations: tuple[str, ...]  # names of the vendor's certifications it holds now
    figures_shared: bool  # the vendor sees its business figures now (active + consent)

    def to_json_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["specializations"] = list(self.specializations)
        for key in ("since", "ended_on"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


@dataclass(frozen=True)
class PartnerProgram:
    """A vendor a partner has a membership with or a consent setting for."""

    vendor: str
    membership_id: int | None
    tier: str | None
    status: str | None  # None: no membership, only a consent setting
    requested_by: str | None
    since: date | None
    ended_on: date | None
    version: int | None
    figures_consent: bool  # the partner's switch for this vendor


def _ensure_vendor_viewer(session: Session, viewer: AccountPublic | None, vendor: str) -> None:
    current = current_viewer(session, viewer)
    if current is None:
        raise PermissionDenied("Please sign in first.")
    if current.role == ROLE_ADMIN:
        return
    if current.role != ROLE_VENDOR or current.vendor_name != vendor:
        raise PermissionDenied("A vendor's members are visible to that vendor's accounts only.")


def vendor_specializations(
    session: Session, vendor: str, partner_ids: list[int], today: date
) -> dict[int, tuple[str, ...]]:
    """Per partner, the names of ``vendor``'s certifications it holds approved and unexpired."""
    catalogue = get_taxonomy().certifications
    keys = [k for k, c in catalogue.items() if c.vendor == vendor]
    if not partner_ids or not keys:
        return {}
    rows = session.exec(
        select(PartnerCertification.partner_id, PartnerCertification.certification_key)
        .where(col(PartnerCertification.partner_id).in_(partner_ids))
        .where(col(PartnerCertification.certification_key).in_(keys))
        .where(PartnerCertification.status == CERT_APPROVED)
        .where(
            or_(
                col(PartnerCertification.expires_on).is_(None),
                col(PartnerCertification.expires_on) >= today,
            )
        )
    ).all()
    held: dict[int, set[str]] = {}
    for partner_id, key in rows:
        held.setdefault(int(partner_id), set()).add(catalogue[key].name)
    return {pid: tuple(sorted(names)) for pid, names in held.items()}


def list_members(
    session: Session,
    viewer: AccountPublic | None,
    vendor: str,
    *,
    statuses: tuple[str, ...] | None = None,
    today: date | None = None,
) -> list[Member]:
    """Every membership of ``vendor``'s program (or those in ``statuses``), by partner name,
    for that vendor's accounts and administrators (PermissionDenied for anyone else)."""
    if vendor not in get_taxonomy().vendors:
        raise ProgramError(f"Unknown vendor {vendor!r}.")
    _ensure_vendor_viewer(session, viewer, vendor)
    return read_members(session, vendor, statuses=statuses, today=today)


def read_members(
    session: Session,
    vendor: str,
    *,
    statuses: tuple[str, ...] | None = None,
    today: date | None = None,
) -> list[Member]:
    """``list_members`` without the viewer check: for the command line only, which runs with
    the database's own rights like every other ``python -m core`` command."""
    if vendor not in get_taxonomy().vendors:
        raise ProgramError(f"Unknown vendor {vendor!r}.")
    statement = (
        select(ProgramMembership, Partner.name)
        .join(Partner, col(Partner.id) == col(ProgramMembership.partner_id))
        .where(ProgramMembership.vendor == vendor)
    )
    if statuses:
        statement = statement.where(col(ProgramMembership.status).in_(list(statuses)))
    rows = session.exec(statement.order_by(col(Partner.name), col(Partner.id))).all()
    ids = [m.partner_id for m, _name in rows]
    held = vendor_specializations(session, vendor, ids, today or date.today())
    shared = figures_shared_with(session, vendor, ids)
    return [
        Member(
            membership_id=m.id or 0,
            partner_id=m.partner_id,
            partner_name=name,
            tier=m.tier,
            status=m.status,
            requested_by=m.requested_by,
            since=m.since,
            ended_on=m.ended_on,
            version=m.version,
            specializations=held.get(m.partner_id, ()),
            figures_shared=m.partner_id in shared,
        )
        for m, name in rows
    ]


def list_partner_programs(
    session: Session, viewer: AccountPublic | None, partner_id: int
) -> list[PartnerProgram]:
    """The partner's memberships and consent settings, by vendor. A vendor account sees only
    its own row of it; another partner or an anonymous visitor nothing."""
    current = current_viewer(session, viewer)
    if current is None:
        raise PermissionDenied("Please sign in first.")
    only_vendor: str | None = None
    if current.role == ROLE_VENDOR and current.vendor_name:
        only_vendor = current.vendor_name
    elif current.role != ROLE_ADMIN and not (
        current.role == ROLE_PARTNER and current.partner_id == partner_id
    ):
        raise PermissionDenied("You may only see your own partner organisation's programs.")
    memberships = {
        m.vendor: m
        for m in session.exec(
            select(ProgramMembership).where(ProgramMembership.partner_id == partner_id)
        ).all()
    }
    consents = {
        c.vendor: c.granted
        for c in session.exec(
            select(FiguresConsent).where(FiguresConsent.partner_id == partner_id)
        ).all()
    }
    programs = []
    for vendor in sorted(set(memberships) | set(consents)):
        if only_vendor is not None and vendor != only_vendor:
            continue
        m = memberships.get(vendor)
        programs.append(
            PartnerProgram(
                vendor=vendor,
                membership_id=m.id if m else None,
                tier=m.tier if m else None,
                status=m.status if m else None,
                requested_by=m.requested_by if m else None,
                since=m.since if m else None,
                ended_on=m.ended_on if m else None,
                version=m.version if m else None,
                figures_consent=consents.get(vendor, False),
            )
        )
    return programs
