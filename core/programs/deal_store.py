"""How a deal registration is read out, written down in the audit trail, changed, and
compared with other partners' registrations of the same customer (see core.programs.deals).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, CursorResult, and_, or_, update
from sqlmodel import Session, col, select

from core.models import (
    DEAL_APPROVED,
    DEAL_PENDING,
    DealRegistration,
    DealRegistrationPublic,
    Partner,
    utc_now,
)
from core.programs.rules import ProgramError, StaleVersion

ENTITY = "deal_registration"


class StaleDeal(StaleVersion):
    """Someone changed the registration since the user saw it; nothing was changed."""

    def __init__(self) -> None:
        ProgramError.__init__(
            self, "This deal registration was changed meanwhile. Reload it and try again."
        )


@dataclass(frozen=True)
class DealConflict:
    """Another partner's registration for the same customer that still counts."""

    deal_id: int
    partner_id: int
    partner_name: str
    status: str
    protected_until: date | None
    registered_at: datetime
    value_usd: float


def current_day() -> date:
    return utc_now().date()


def public(row: DealRegistration) -> DealRegistrationPublic:
    return DealRegistrationPublic.model_validate(row, from_attributes=True)


def audit_fields(row: DealRegistration) -> dict[str, Any]:
    fields = (
        "partner_id", "vendor", "customer_company", "customer_key", "zip_code",
        "product_lines", "value_usd", "expected_close_on", "status", "protected_until",
        "decision_note",
    )  # fmt: skip
    return {name: getattr(row, name) for name in fields}


def _still_counts(today: date) -> ColumnElement[bool]:
    """Pending, or approved and protecting today."""
    return or_(
        col(DealRegistration.status) == DEAL_PENDING,
        and_(
            col(DealRegistration.status) == DEAL_APPROVED,
            col(DealRegistration.protected_until) >= today,
        ),
    )


def same_customer(
    session: Session, *, vendor: str, key: str, zip_code: str, today: date
) -> list[tuple[DealRegistration, str]]:
    rows = session.exec(
        select(DealRegistration, Partner.name)
        .join(Partner, col(Partner.id) == col(DealRegistration.partner_id))
        .where(
            DealRegistration.vendor == vendor,
            DealRegistration.customer_key == key,
            DealRegistration.zip_code == zip_code,
            _still_counts(today),
        )
        .order_by(col(DealRegistration.registered_at), col(DealRegistration.id))
    ).all()
    return [(row, str(name)) for row, name in rows]


def conflicts_of(session: Session, row: DealRegistration, today: date) -> list[DealConflict]:
    found = same_customer(
        session, vendor=row.vendor, key=row.customer_key, zip_code=row.zip_code, today=today
    )
    return [
        DealConflict(
            deal_id=other.id or 0,
            partner_id=other.partner_id,
            partner_name=name,
            status=other.status,
            protected_until=other.protected_until,
            registered_at=other.registered_at,
            value_usd=other.value_usd,
        )
        for other, name in found
        if other.partner_id != row.partner_id
    ]


def swap(
    session: Session, row: DealRegistration, seen_version: int, values: dict[str, Any]
) -> None:
    """Apply ``values`` only if the row is still at ``seen_version`` (one guarded UPDATE)."""
    result = session.execute(
        update(DealRegistration)
        .where(col(DealRegistration.id) == row.id, col(DealRegistration.version) == seen_version)
        .values(**values, version=seen_version + 1, updated_at=utc_now())
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)  # what an UPDATE returns; typed as Result
    if result.rowcount != 1:
        raise StaleDeal()
    session.refresh(row)
