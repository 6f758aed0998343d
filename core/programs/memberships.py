"""Joining a vendor program: a partner applies or a vendor invites (see core.programs.answers
for what the other side does next).

Every change is a compare-and-swap on the version the user saw (``seen_version``): a stale
version raises StaleVersion and changes nothing. Each change records one audit event in the
caller's transaction, so the change and its audit row commit or roll back together.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from core.audit import record_change
from core.db import savepoint
from core.models import (
    PROGRAM_REQUESTED,
    SIDE_PARTNER,
    SIDE_VENDOR,
    AccountPublic,
    Partner,
    ProgramMembership,
    ProgramMembershipCreate,
    ProgramMembershipPublic,
    utc_now,
)
from core.programs.rules import (
    REOPENABLE,
    ProgramError,
    StaleVersion,
    ensure_side,
    ensure_status,
    validate_tier,
)
from core.programs.store import ENTITY, audit_fields, public, swap


def existing_membership(session: Session, partner_id: int, vendor: str) -> ProgramMembership | None:
    """The one row of this partner x vendor pair, if there is one."""
    return session.exec(
        select(ProgramMembership).where(
            ProgramMembership.partner_id == partner_id, ProgramMembership.vendor == vendor
        )
    ).first()


def _open(
    session: Session,
    actor: AccountPublic | None,
    data: dict[str, Any],
    seen_version: int | None,
) -> ProgramMembershipPublic:
    """A request or an invitation: a new row, or a declined/ended one asked for again."""
    try:
        wanted = ProgramMembershipCreate.model_validate(data)
    except ValidationError as exc:
        raise ProgramError(str(exc.errors()[0]["msg"]).removeprefix("Value error, ")) from None
    side = wanted.requested_by
    actor = ensure_side(
        session, actor, partner_id=wanted.partner_id, vendor=wanted.vendor, side=side
    )
    if session.get(Partner, wanted.partner_id) is None:
        raise ProgramError("There is no such partner.")
    tier = validate_tier(wanted.vendor, wanted.tier, required=False)
    row = existing_membership(session, wanted.partner_id, wanted.vendor)
    action = "request" if side == SIDE_PARTNER else "invite"
    opened: dict[str, Any] = {
        "status": PROGRAM_REQUESTED,
        "requested_by": side,
        "tier": tier,
        "since": None,
        "ended_on": None,
    }
    if row is None:
        if seen_version is not None:
            raise StaleVersion()
        row = ProgramMembership.model_validate(
            {"partner_id": wanted.partner_id, "vendor": wanted.vendor, **opened}
        )
        try:
            # Two requests for the same pair at once: both found no row, the second insert
            # hits the unique constraint. Only the savepoint is undone; the caller gets
            # "changed meanwhile" instead of a database error.
            with savepoint(session):
                session.add(row)
                session.flush()
        except IntegrityError:
            raise StaleVersion() from None
        before: dict[str, Any] = {}
    else:
        ensure_status(row.status, REOPENABLE, "requested again")
        if seen_version != row.version:
            raise StaleVersion()
        before = audit_fields(row)
        swap(session, row, seen_version, {**opened, "requested_at": utc_now()})
    record_change(
        session=session,
        actor=actor,
        entity_type=ENTITY,
        entity_id=row.id or 0,
        action=action,
        before=before,
        after=audit_fields(row),
    )
    return public(row)


def request_membership(
    *,
    session: Session,
    actor: AccountPublic | None,
    partner_id: int,
    vendor: str,
    seen_version: int | None = None,
) -> ProgramMembershipPublic:
    """The partner applies to ``vendor``'s program; the vendor approves or declines.

    ``seen_version``: the version of the declined/ended membership the user saw, None if none.
    """
    data = {"partner_id": partner_id, "vendor": vendor, "requested_by": SIDE_PARTNER}
    return _open(session, actor, data, seen_version)


def invite_partner(
    *,
    session: Session,
    actor: AccountPublic | None,
    partner_id: int,
    vendor: str,
    tier: str | None = None,
    seen_version: int | None = None,
) -> ProgramMembershipPublic:
    """The vendor invites a partner, optionally at a tier; the partner accepts or declines."""
    data = {"partner_id": partner_id, "vendor": vendor, "requested_by": SIDE_VENDOR, "tier": tier}
    return _open(session, actor, data, seen_version)
