"""Answering and running a membership: the asked side approves, accepts or declines; the
vendor changes the tier; either side ends it. Compare-and-swap on ``seen_version`` and one
audit event per change, as in core.programs.memberships.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from core.access import fresh_actor
from core.audit import record_change
from core.models import (
    PROGRAM_ACTIVE,
    PROGRAM_DECLINED,
    PROGRAM_ENDED,
    PROGRAM_REQUESTED,
    SIDE_PARTNER,
    SIDE_VENDOR,
    AccountPublic,
    ProgramMembership,
    ProgramMembershipPublic,
    utc_now,
)
from core.programs.rules import (
    ProgramError,
    StaleVersion,
    ensure_side,
    ensure_status,
    other_side,
    sides_of,
    validate_tier,
)
from core.programs.store import ENTITY, audit_fields, public, swap
from core.taxonomy import get_taxonomy


def _change(
    session: Session,
    actor: AccountPublic | None,
    *,
    membership_id: int,
    seen_version: int,
    side: str | None,
    allowed: tuple[str, ...],
    doing: str,
    action: str,
    values: Callable[[ProgramMembership], dict[str, Any]],
) -> ProgramMembershipPublic:
    """One checked transition: access, then version, then status, then ``values(row)``
    (which may refuse with ProgramError). ``side`` None: either side may do it."""
    row = session.get(ProgramMembership, membership_id)
    if row is None:
        raise ProgramError("There is no such membership.")
    partner_id, vendor = row.partner_id, row.vendor
    if side is None:  # act for whichever side the actor has; admins count as the vendor
        current = fresh_actor(session, actor)
        sides = sides_of(current, partner_id=partner_id, vendor=vendor)
        side = SIDE_PARTNER if sides == {SIDE_PARTNER} else SIDE_VENDOR
    actor = ensure_side(session, actor, partner_id=partner_id, vendor=vendor, side=side)
    # The version first: a user who saw an older state gets "reload", not a message about
    # the state someone else moved it to meanwhile.
    if row.version != seen_version:
        raise StaleVersion()
    ensure_status(row.status, allowed, doing)
    new_values = values(row)
    before = audit_fields(row)
    swap(session, row, seen_version, new_values)
    record_change(
        session=session,
        actor=actor,
        entity_type=ENTITY,
        entity_id=membership_id,
        action=action,
        before=before,
        after=audit_fields(row),
    )
    return public(row)


def _answering(side: str) -> Callable[[ProgramMembership], None]:
    """Only the side that did not ask answers: the vendor a request, the partner an invite."""

    def check(row: ProgramMembership) -> None:
        if row.requested_by == side:
            raise ProgramError(
                "The partner applied itself: the vendor answers this request."
                if side == SIDE_PARTNER
                else "This is the vendor's own invitation: the partner answers it."
            )

    return check


def _activate(side: str, tier: str | None) -> Callable[[ProgramMembership], dict[str, Any]]:
    def values(row: ProgramMembership) -> dict[str, Any]:
        _answering(side)(row)
        # Accepting an invitation keeps the tier the vendor offered (or its entry tier).
        chosen = (
            validate_tier(row.vendor, tier, required=True)
            if side == SIDE_VENDOR
            else row.tier or get_taxonomy().tiers_of(row.vendor)[0]
        )
        return {"status": PROGRAM_ACTIVE, "tier": chosen, "since": utc_now().date()}

    return values


def approve_request(
    *,
    session: Session,
    actor: AccountPublic | None,
    membership_id: int,
    seen_version: int,
    tier: str,
) -> ProgramMembershipPublic:
    """The vendor admits a partner that applied, at one of its tiers."""
    return _change(
        session, actor, membership_id=membership_id, seen_version=seen_version,
        side=SIDE_VENDOR, allowed=(PROGRAM_REQUESTED,), doing="approved", action="approve",
        values=_activate(SIDE_VENDOR, tier),
    )  # fmt: skip


def accept_invitation(
    *, session: Session, actor: AccountPublic | None, membership_id: int, seen_version: int
) -> ProgramMembershipPublic:
    """The partner joins the program it was invited to."""
    return _change(
        session, actor, membership_id=membership_id, seen_version=seen_version,
        side=SIDE_PARTNER, allowed=(PROGRAM_REQUESTED,), doing="accepted", action="accept",
        values=_activate(SIDE_PARTNER, None),
    )  # fmt: skip


def decline_membership(
    *, session: Session, actor: AccountPublic | None, membership_id: int, seen_version: int
) -> ProgramMembershipPublic:
    """The side that was asked says no: the vendor to a request, the partner to an invite."""
    row = session.get(ProgramMembership, membership_id)
    side = other_side(row.requested_by) if row is not None else SIDE_VENDOR

    def values(found: ProgramMembership) -> dict[str, Any]:
        return {"status": PROGRAM_DECLINED, "ended_on": utc_now().date()}

    return _change(
        session, actor, membership_id=membership_id, seen_version=seen_version,
        side=side, allowed=(PROGRAM_REQUESTED,), doing="declined", action="decline",
        values=values,
    )  # fmt: skip


def change_tier(
    *,
    session: Session,
    actor: AccountPublic | None,
    membership_id: int,
    seen_version: int,
    tier: str,
) -> ProgramMembershipPublic:
    """The vendor moves an active member to another of its tiers."""

    def values(row: ProgramMembership) -> dict[str, Any]:
        chosen = validate_tier(row.vendor, tier, required=True)
        if chosen == row.tier:
            raise ProgramError(f"This member is already at {chosen}.")
        return {"tier": chosen}

    return _change(
        session, actor, membership_id=membership_id, seen_version=seen_version,
        side=SIDE_VENDOR, allowed=(PROGRAM_ACTIVE,), doing="given another tier",
        action="change_tier", values=values,
    )  # fmt: skip


def end_membership(
    *, session: Session, actor: AccountPublic | None, membership_id: int, seen_version: int
) -> ProgramMembershipPublic:
    """Either side ends an active membership, or withdraws a request not yet answered."""

    def values(row: ProgramMembership) -> dict[str, Any]:
        return {"status": PROGRAM_ENDED, "ended_on": utc_now().date()}

    return _change(
        session, actor, membership_id=membership_id, seen_version=seen_version,
        side=None, allowed=(PROGRAM_REQUESTED, PROGRAM_ACTIVE), doing="ended", action="end",
        values=values,
    )  # fmt: skip
