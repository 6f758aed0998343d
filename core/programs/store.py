"""How a membership row is read out, written down in the audit trail and changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult, update
from sqlmodel import Session, col

from core.models import ProgramMembership, ProgramMembershipPublic, utc_now
from core.programs.rules import StaleVersion

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
    result = session.execute(
        update(ProgramMembership)
        .where(col(ProgramMembership.id) == row.id, col(ProgramMembership.version) == seen_version)
        .values(**values, version=seen_version + 1, updated_at=utc_now())
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)  # what an UPDATE returns; typed as Result
    if result.rowcount != 1:
        raise StaleVersion()
    session.refresh(row)
