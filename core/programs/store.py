"""How a membership row is read out, written down in the audit trail and changed."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from core.models import ProgramMembership, ProgramMembershipPublic
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
