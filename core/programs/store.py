"""How a membership row is read out, written down in the audit trail and changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col

from core.models import PROGRAM_ACTIVE, Lead, ProgramMembership, ProgramMembershipPublic
from core.programs.versioned import swap_versioned

ENTITY = "program_membership"


def public(row: ProgramMembership) -> ProgramMembershipPublic:
    return ProgramMembershipPublic.model_validate(row, from_attributes=True)


def audit_fields(row: ProgramMembership) -> dict[str, Any]:
    fields = ("partner_id", "vendor", "tier", "status", "requested_by", "since", "ended_on")
    return {name: getattr(row, name) for name in fields}


def swap(
    session: Session, row: ProgramMembership, seen_version: int, values: dict[str, Any]
) -> None:
    """Apply ``values`` only if the row is still at ``seen_version`` (one UPDATE, so two
    people answering at once cannot both win); StaleVersion otherwise."""
    swap_versioned(session, row, seen_version, values, what="membership")
    if "status" in values:
        mark_vendor_leads(
            session,
            partner_id=row.partner_id,
            vendor=row.vendor,
            member=values["status"] == PROGRAM_ACTIVE,
        )


def mark_vendor_leads(session: Session, *, partner_id: int, vendor: str, member: bool) -> None:
    """Keep ``lead.vendor_member`` true to the membership: the vendor's leads this partner
    holds count in the vendor's results only while it is an active member. The flag lives on
    the lead so a vendor's results read one index instead of checking every lead's holder
    against the membership table (core.analytics.program_scope)."""
    session.execute(
        update(Lead)
        .where(col(Lead.partner_id) == partner_id, col(Lead.vendor_name) == vendor)
        .where(col(Lead.vendor_member).is_not(member))
        .values(vendor_member=member)
        .execution_options(synchronize_session=False)
    )
