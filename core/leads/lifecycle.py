"""Leads: contact requests from the directory and their life cycle in the partner's inbox.

new → engaged → qualified out / nurture → won (value required) / lost (reason required),
as ``LEAD_TRANSITIONS`` allows. Only the lead's own partner (or an administrator) sees or
changes a lead; every change leaves a ``LeadStatusChange`` row and an audit event.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, func, update
from sqlmodel import Session, col, select

from core.access import PermissionDenied, fresh_actor
from core.audit import ANONYMOUS_LABEL, record_change
from core.models import (
    LEAD_SOURCES,
    LEAD_STATUS_LABELS,
    LEAD_STATUSES,
    LEAD_TRANSITIONS,
    ROLE_ADMIN,
    ROLE_PARTNER,
    Account,
    AccountPublic,
    ContactRequest,
    Lead,
    LeadStatusChange,
    MaxLength,
    Partner,
    clean_text,
    utc_now,
    validate_product_lines,
)
from core.reviews.requests import request_review
from core.taxonomy import get_taxonomy

MAX_TEAM_SIZE = 10
MAX_VALUE_USD = 1_000_000_000


class LeadError(ValueError):
    """A lead change that cannot be made; the message is for the user."""


@dataclass(frozen=True)
class LeadHistoryEntry:
    changed_at: datetime
    from_status: str | None
    to_status: str
    actor_label: str
    note: str


CHANGED_MEANWHILE = "This lead was changed meanwhile. Reload it and try again."


def detached(row: Lead) -> Lead:
    """A copy that stays readable after the session closes (commit expires the row)."""
    return Lead.model_validate(row.model_dump())


def lead_audit_fields(row: Lead) -> dict[str, Any]:
    return {
        "partner_id": row.partner_id,
        "team_key": row.team_key,
        "source": row.source,
        "vendor_name": row.vendor_name,
        "campaign_id": row.campaign_id,
        "company": row.company,
        "zip_code": row.zip_code,
        "contact_name": row.contact_name,
        "contact_email": row.contact_email,
        "company_size": row.company_size,
        "needs": list(row.needs or []),
        "message": row.message,
        "status": row.status,
        "value_usd": row.value_usd,
        "product_lines": list(row.product_lines or []),
        "lost_reason": row.lost_reason,
    }


def _new_lead(
    session: Session,
    partner_id: int,
    request: ContactRequest,
    source: str,
    team_key: str | None = None,
    now: datetime | None = None,
) -> Lead:
    if session.get(Partner, partner_id) is None:
        raise LeadError("This partner is no longer in the directory.")
    now = now or utc_now()
    row = Lead(
        partner_id=partner_id,
        team_key=team_key,
        source=source,
        contact_name=request.contact_name,
        contact_email=request.contact_email,
        company_size=request.company_size,
        needs=list(request.needs),
        message=request.message,
        status="new",
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    record_change(
        session=session,
        actor=None,
        actor_label=ANONYMOUS_LABEL,
        entity_type="lead",
        entity_id=row.id or 0,
        action="create",
        before={},
        after=lead_audit_fields(row),
    )
    return row


def submit_contact_request(
    *,
    session: Session,
    partner_id: int,
    request: ContactRequest,
    source: str = "directory",
    now: datetime | None = None,
) -> Lead:
    """An anonymous visitor asks one partner for contact; the partner gets a new lead."""
    if source not in LEAD_SOURCES:
        raise LeadError(f"Unknown lead source {source!r}.")
    request = ContactRequest.model_validate(request.model_dump())
    return detached(_new_lead(session, partner_id, request, source, now=now))


def submit_team_contact_request(
    *,
    session: Session,
    partner_ids: list[int],
    request: ContactRequest,
    now: datetime | None = None,
) -> list[Lead]:
    """One request to a whole team: a lead per partner, all sharing one ``team_key``."""
    ids = list(dict.fromkeys(int(pid) for pid in partner_ids))
    if not ids:
        raise LeadError("A team needs at least one partner.")
    if len(ids) > MAX_TEAM_SIZE:
        raise LeadError(f"A team has at most {MAX_TEAM_SIZE} partners.")
    request = ContactRequest.model_validate(request.model_dump())
    team_key = str(uuid.uuid4())
    rows = [_new_lead(session, pid, request, "team", team_key, now) for pid in ids]
    return [detached(row) for row in rows]


def _ensure_can_manage(actor: AccountPublic, partner_id: int | None) -> None:
    if actor.role == ROLE_ADMIN:
        return
    # An unassigned lead (partner_id None) belongs to no partner yet.
    if actor.role == ROLE_PARTNER and partner_id is not None and actor.partner_id == partner_id:
        return
    raise PermissionDenied("You may only see and change your own leads.")


def _lead_for(session: Session, actor: AccountPublic | None, lead_id: int) -> tuple[Lead, Any]:
    actor = fresh_actor(session, actor)
    row = session.get(Lead, lead_id, populate_existing=True)
    if row is None:
        raise LeadError("That lead does not exist.")
    _ensure_can_manage(actor, row.partner_id)
    return row, actor


def change_lead_status(
    *,
    session: Session,
    actor: AccountPublic,
    lead_id: int,
    to_status: str,
    value_usd: float | None = None,
    lost_reason: str | None = None,
    note: str = "",
    product_lines: list[str] | None = None,
    expected_status: str | None = None,
) -> Lead:
    """Move a lead along its life cycle; ``won`` needs a value, ``lost`` a reason.

    ``expected_status`` is the status the user saw when choosing the change (the page passes
    it): if the lead has moved on since, nothing changes and LeadError says so.

    A won lead a vendor sent (``vendor_name``) also names which of that vendor's product
    lines were sold (closed-loop reporting: the vendor learns what its leads bought)."""
    row, actor = _lead_for(session, actor, lead_id)
    from_status = row.status
    if expected_status is not None and expected_status != from_status:
        raise LeadError(CHANGED_MEANWHILE)
    if to_status not in LEAD_STATUSES:
        raise LeadError(f"Unknown status {to_status!r}.")
    if to_status not in LEAD_TRANSITIONS.get(from_status, ()):
        allowed = ", ".join(LEAD_STATUS_LABELS[s] for s in LEAD_TRANSITIONS.get(from_status, ()))
        raise LeadError(
            f"A lead that is {LEAD_STATUS_LABELS[from_status]} cannot become "
            f"{LEAD_STATUS_LABELS[to_status]}" + (f" (possible: {allowed})." if allowed else ".")
        )
    note = clean_text(note) or ""
    if len(note) > MaxLength.NOTE:
        raise LeadError(f"A note has at most {MaxLength.NOTE} characters.")
    values: dict[str, Any] = {
        "status": to_status,
        "value_usd": None,
        "lost_reason": None,
        "product_lines": [],
    }
    if to_status == "won":
        if value_usd is None or not 0 < float(value_usd) <= MAX_VALUE_USD:
            raise LeadError("A won lead needs its deal value in USD (more than 0).")
        values["value_usd"] = round(float(value_usd), 2)
        values["product_lines"] = _sold_lines(row, product_lines)
    elif product_lines:
        raise LeadError("Product lines are named when a lead is won.")
    if to_status == "lost":
        reason = clean_text(lost_reason) or ""
        if not reason:
            raise LeadError("A lost lead needs a reason.")
        if len(reason) > MaxLength.NOTE:
            raise LeadError(f"A reason has at most {MaxLength.NOTE} characters.")
        values["lost_reason"] = reason
    before = lead_audit_fields(row)
    now = utc_now()
    values["updated_at"] = now
    if row.first_response_at is None:
        values["first_response_at"] = now
    if to_status == "engaged" and row.engaged_at is None:
        values["engaged_at"] = now
    # Compare-and-swap on the status: two people answering at once cannot both move it.
    result = session.execute(
        update(Lead)
        .where(col(Lead.id) == lead_id, col(Lead.status) == from_status)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)  # what an UPDATE returns; typed as Result
    if result.rowcount != 1:
        raise LeadError(CHANGED_MEANWHILE)
    session.add(
        LeadStatusChange(
            lead_id=lead_id,
            from_status=from_status,
            to_status=to_status,
            changed_at=now,
            actor_account_id=actor.id,
            note=note,
        )
    )
    session.flush()
    session.refresh(row)
    record_change(
        session=session,
        actor=actor,
        entity_type="lead",
        entity_id=lead_id,
        action="status_change",
        before=before | {"note": None},
        after=lead_audit_fields(row) | {"note": note or None},
    )
    if to_status == "won":  # the customer's review link, in this same unit of work
        request_review(session=session, lead=row, now=now)
    return detached(row)


def _sold_lines(row: Lead, product_lines: list[str] | None) -> list[str]:
    """The vendor's product lines a won lead sold: at least one for a vendor's lead."""
    if not row.vendor_name:
        if product_lines:
            raise LeadError("Only a lead a vendor sent names that vendor's product lines.")
        return []
    try:
        lines = validate_product_lines(row.vendor_name, list(product_lines or []))
    except ValueError as exc:
        raise LeadError(f"{exc}.") from None
    if not lines:
        known = ", ".join(get_taxonomy().product_lines_of(row.vendor_name))
        raise LeadError(
            f"A won {row.vendor_name} lead names what was sold: at least one of its product "
            f"lines ({known})."
        )
    return lines


def list_partner_leads(
    *,
    session: Session,
    actor: AccountPublic,
    partner_id: int,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Lead]:
    """A partner's leads, newest first (the partner's own, or any for an administrator)."""
    _ensure_can_manage(fresh_actor(session, actor), partner_id)
    statement = select(Lead).where(Lead.partner_id == partner_id)
    if status:
        statement = statement.where(Lead.status == status)
    statement = statement.order_by(col(Lead.created_at).desc(), col(Lead.id).desc())
    rows = session.exec(statement.limit(max(1, min(limit, 500))).offset(max(0, offset))).all()
    return [detached(row) for row in rows]


def count_partner_leads(
    *, session: Session, actor: AccountPublic, partner_id: int, status: str | None = None
) -> dict[str, int]:
    """How many leads the partner has per status."""
    _ensure_can_manage(fresh_actor(session, actor), partner_id)
    statement = (
        select(Lead.status, func.count()).where(Lead.partner_id == partner_id).group_by(Lead.status)
    )
    if status:
        statement = statement.where(Lead.status == status)
    return {s: int(n) for s, n in session.exec(statement).all()}


def get_lead(*, session: Session, actor: AccountPublic, lead_id: int) -> Lead:
    row, _ = _lead_for(session, actor, lead_id)
    return detached(row)


def lead_history(*, session: Session, actor: AccountPublic, lead_id: int) -> list[LeadHistoryEntry]:
    """Every status change of a lead, oldest first, starting with its arrival."""
    row, _ = _lead_for(session, actor, lead_id)
    changes = session.exec(
        select(LeadStatusChange, Account.username)
        .join(Account, col(Account.id) == LeadStatusChange.actor_account_id, isouter=True)
        .where(LeadStatusChange.lead_id == lead_id)
        .order_by(col(LeadStatusChange.changed_at), col(LeadStatusChange.id))
    ).all()
    arrival = LeadHistoryEntry(
        changed_at=row.created_at,
        from_status=None,
        to_status="new",
        actor_label=ANONYMOUS_LABEL if row.source in ("directory", "team") else row.source,
        note="Contact request received",
    )
    entries = [
        LeadHistoryEntry(
            changed_at=change.changed_at,
            from_status=change.from_status,
            to_status=change.to_status,
            actor_label=username or "system",
            note=change.note,
        )
        for change, username in changes
    ]
    # Imported or generated histories may already contain the arrival; do not show it twice.
    if entries and entries[0].from_status is None:
        return entries
    return [arrival, *entries]
