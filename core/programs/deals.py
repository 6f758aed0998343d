"""Deal registration: a partner registers an opportunity with a vendor, the vendor approves
(protecting the partner for a number of days) or denies it, the partner may withdraw it
while it is pending.

Two registrations are for the same customer when vendor, ``customer_key`` (the normalised
company name) and ZIP match. Another partner's registration that is pending or protecting
today is a conflict: the vendor sees it before deciding, and cannot approve over one that
protects. Compare-and-swap on ``seen_version`` and one audit event per change, as in
core.programs.answers.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, col, select

from core.access import PermissionDenied, fresh_actor
from core.audit import record_change
from core.confidentiality import active_member_ids
from core.geo.places import lookup_zip
from core.models import (
    DEAL_APPROVED,
    DEAL_DENIED,
    DEAL_PENDING,
    DEAL_WITHDRAWN,
    ROLE_ADMIN,
    ROLE_PARTNER,
    ROLE_VENDOR,
    SIDE_PARTNER,
    SIDE_VENDOR,
    AccountPublic,
    DealRegistration,
    DealRegistrationCreate,
    DealRegistrationPublic,
    MaxLength,
    Partner,
    clean_text,
    customer_key,
    utc_now,
)
from core.programs.deal_store import (
    ENTITY,
    DealConflict,
    StaleDeal,
    audit_fields,
    conflicts_of,
    current_day,
    public,
    same_customer,
    swap,
)
from core.programs.decision_mail import notify_deal_decision
from core.programs.rules import ProgramError, ensure_side
from core.taxonomy import get_taxonomy

MAX_PROTECTION_DAYS = 730  # as data/vendor_programs.json allows for the default


def _problem(exc: ValidationError) -> str:
    error = exc.errors()[0]
    message = str(error["msg"]).removeprefix("Value error, ")
    field = str(error["loc"][0]) if error["loc"] else ""
    label = field.replace("_", " ")
    if field and error.get("type") not in ("value_error", "assertion_error"):
        message = f"{label}: {message[:1].lower()}{message[1:]}"
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def register_deal(
    *, session: Session, actor: AccountPublic | None, data: dict[str, Any]
) -> DealRegistrationPublic:
    """The partner registers an opportunity with a vendor whose program it is active in."""
    try:
        wanted = DealRegistrationCreate.model_validate(data)
    except ValidationError as exc:
        raise ProgramError(_problem(exc)) from None
    actor = ensure_side(
        session, actor, partner_id=wanted.partner_id, vendor=wanted.vendor, side=SIDE_PARTNER
    )
    if session.get(Partner, wanted.partner_id) is None:
        raise ProgramError("There is no such partner.")
    today = current_day()
    if wanted.expected_close_on < today:
        raise ProgramError("The expected close date is in the past: register open deals only.")
    if lookup_zip(wanted.zip_code) is None:
        raise ProgramError(f"Unknown ZIP code {wanted.zip_code}.")
    if not active_member_ids(session, wanted.vendor, [wanted.partner_id]):
        raise ProgramError(
            f"Only active members of the {wanted.vendor} program register deals with "
            f"{wanted.vendor}: apply to its program first."
        )
    key = customer_key(wanted.customer_company)
    mine = [
        row
        for row, _name in same_customer(
            session, vendor=wanted.vendor, key=key, zip_code=wanted.zip_code, today=today
        )
        if row.partner_id == wanted.partner_id
    ]
    if mine:
        own = mine[0]
        state = (
            "is still pending"
            if own.status == DEAL_PENDING
            else f"protects you until {own.protected_until}"
        )
        raise ProgramError(
            f"You already registered {own.customer_company} ({own.zip_code}) with "
            f"{wanted.vendor}: registration #{own.id} {state}."
        )
    now = utc_now()
    row = DealRegistration(
        partner_id=wanted.partner_id,
        vendor=wanted.vendor,
        customer_company=wanted.customer_company,
        customer_key=key,
        zip_code=wanted.zip_code,
        product_lines=list(wanted.product_lines),
        value_usd=round(wanted.value_usd, 2),
        expected_close_on=wanted.expected_close_on,
        status=DEAL_PENDING,
        registered_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    record_change(
        session=session, actor=actor, entity_type=ENTITY, entity_id=row.id or 0,
        action="register", before={}, after=audit_fields(row),
    )  # fmt: skip
    return public(row)


def _decide(
    session: Session,
    actor: AccountPublic | None,
    *,
    deal_id: int,
    seen_version: int,
    side: str,
    doing: str,
    action: str,
    values: Any,
) -> DealRegistrationPublic:
    """Access, then version, then status (pending only), then ``values(row)``, then the swap."""
    row = session.get(DealRegistration, deal_id)
    if row is None:
        raise ProgramError("There is no such deal registration.")
    actor = ensure_side(session, actor, partner_id=row.partner_id, vendor=row.vendor, side=side)
    if row.version != seen_version:
        raise StaleDeal()
    if row.status != DEAL_PENDING:
        raise ProgramError(f"A deal registration that is {row.status} cannot be {doing}.")
    new_values = values(row)
    before = audit_fields(row)
    swap(session, row, seen_version, new_values)
    record_change(
        session=session, actor=actor, entity_type=ENTITY, entity_id=deal_id, action=action,
        before=before, after=audit_fields(row),
    )  # fmt: skip
    if side == SIDE_VENDOR:  # the vendor decided: the partner hears of it
        notify_deal_decision(session, row, action)
    return public(row)


def _note(text: str | None, *, required: bool) -> str:
    note = clean_text(text) or ""
    if required and not note:
        raise ProgramError("Say why: a denied registration needs a note for the partner.")
    if len(note) > MaxLength.NOTE:
        raise ProgramError(f"A note has at most {MaxLength.NOTE} characters.")
    return note


def approve_deal(
    *,
    session: Session,
    actor: AccountPublic | None,
    deal_id: int,
    seen_version: int,
    protection_days: int | None = None,
    note: str = "",
) -> DealRegistrationPublic:
    """The vendor approves; the partner is protected for ``protection_days`` (default: the
    taxonomy's ``deal_protection_days``). Refused while another partner is protected."""
    days = get_taxonomy().deal_protection_days if protection_days is None else protection_days
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_PROTECTION_DAYS:
        raise ProgramError(f"Protection lasts 1 to {MAX_PROTECTION_DAYS} days.")
    text = _note(note, required=False)

    def values(row: DealRegistration) -> dict[str, Any]:
        today = current_day()
        for other in conflicts_of(session, row, today):
            if other.status == DEAL_APPROVED:
                raise ProgramError(
                    f"{row.customer_company} ({row.zip_code}) is already registered: "
                    f"registration #{other.deal_id} protects {other.partner_name} until "
                    f"{other.protected_until}. Deny this one, or approve it after that day."
                )
        return {
            "status": DEAL_APPROVED,
            "protected_until": today + timedelta(days=days),
            "decision_note": text,
            "decided_at": utc_now(),
        }

    return _decide(
        session, actor, deal_id=deal_id, seen_version=seen_version, side=SIDE_VENDOR,
        doing="approved", action="approve", values=values,
    )  # fmt: skip


def deny_deal(
    *, session: Session, actor: AccountPublic | None, deal_id: int, seen_version: int, note: str
) -> DealRegistrationPublic:
    """The vendor denies a pending registration, saying why."""
    text = _note(note, required=True)
    return _decide(
        session, actor, deal_id=deal_id, seen_version=seen_version, side=SIDE_VENDOR,
        doing="denied", action="deny",
        values=lambda row: {"status": DEAL_DENIED, "decision_note": text, "decided_at": utc_now()},
    )  # fmt: skip


def withdraw_deal(
    *, session: Session, actor: AccountPublic | None, deal_id: int, seen_version: int
) -> DealRegistrationPublic:
    """The partner takes back a registration the vendor has not answered yet."""
    return _decide(
        session, actor, deal_id=deal_id, seen_version=seen_version, side=SIDE_PARTNER,
        doing="withdrawn", action="withdraw",
        values=lambda row: {"status": DEAL_WITHDRAWN},
    )  # fmt: skip


def deal_conflicts(
    *, session: Session, actor: AccountPublic | None, deal_id: int
) -> list[DealConflict]:
    """Other partners' registrations of the same customer that are pending or protecting
    today, oldest first: what the vendor (or an administrator) weighs before deciding."""
    row = session.get(DealRegistration, deal_id)
    if row is None:
        raise ProgramError("There is no such deal registration.")
    ensure_side(session, actor, partner_id=row.partner_id, vendor=row.vendor, side=SIDE_VENDOR)
    return conflicts_of(session, row, current_day())


def list_deals(
    *,
    session: Session,
    actor: AccountPublic | None,
    vendor: str | None = None,
    partner_id: int | None = None,
) -> list[DealRegistrationPublic]:
    """Registrations, newest first: a vendor's accounts see those with it, a partner's its
    own, an administrator any (``vendor`` and ``partner_id`` narrow the list)."""
    current = fresh_actor(session, actor)
    if current.role == ROLE_VENDOR:
        if current.vendor_name is None or vendor not in (None, current.vendor_name):
            raise PermissionDenied("A vendor sees only the deals registered with it.")
        vendor = current.vendor_name
    elif current.role == ROLE_PARTNER:
        if partner_id not in (None, current.partner_id):
            raise PermissionDenied("You may only see your own partner organisation's deals.")
        partner_id = current.partner_id
    elif current.role != ROLE_ADMIN:
        raise PermissionDenied("Please sign in first.")
    statement = select(DealRegistration)
    if vendor is not None:
        statement = statement.where(DealRegistration.vendor == vendor)
    if partner_id is not None:
        statement = statement.where(DealRegistration.partner_id == partner_id)
    statement = statement.order_by(
        col(DealRegistration.registered_at).desc(), col(DealRegistration.id).desc()
    )
    return [public(row) for row in session.exec(statement).all()]
