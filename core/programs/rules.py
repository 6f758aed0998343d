"""Who may act for which side of a membership, and which status changes exist."""

from __future__ import annotations

from sqlmodel import Session

from core.access import PermissionDenied, fresh_actor
from core.models import (
    PROGRAM_ACTIVE,
    PROGRAM_DECLINED,
    PROGRAM_ENDED,
    PROGRAM_REQUESTED,
    ROLE_ADMIN,
    ROLE_PARTNER,
    ROLE_VENDOR,
    SIDE_PARTNER,
    SIDE_VENDOR,
    AccountPublic,
)
from core.taxonomy import get_taxonomy

STATUS_LABELS = {
    PROGRAM_REQUESTED: "requested",
    PROGRAM_ACTIVE: "active",
    PROGRAM_DECLINED: "declined",
    PROGRAM_ENDED: "ended",
}
# Where a membership may be asked for again: the row is reused (one per partner x vendor).
REOPENABLE = (PROGRAM_DECLINED, PROGRAM_ENDED)


class ProgramError(ValueError):
    """A program change that cannot be made; the message is for the user."""


class StaleVersion(ProgramError):
    """Someone changed the row since the user saw it; nothing was changed. ``what`` names it
    for the user ("membership", "campaign", "fund request")."""

    def __init__(self, what: str = "membership") -> None:
        super().__init__(f"This {what} was changed meanwhile. Reload it and try again.")


def other_side(side: str) -> str:
    return SIDE_VENDOR if side == SIDE_PARTNER else SIDE_PARTNER


def sides_of(actor: AccountPublic, *, partner_id: int, vendor: str) -> set[str]:
    """The sides of this partner x vendor pair the actor may act for (admins: both)."""
    if actor.role == ROLE_ADMIN:
        return {SIDE_PARTNER, SIDE_VENDOR}
    if actor.role == ROLE_PARTNER and actor.partner_id == partner_id:
        return {SIDE_PARTNER}
    if actor.role == ROLE_VENDOR and actor.vendor_name == vendor:
        return {SIDE_VENDOR}
    return set()


def ensure_side(
    session: Session, actor: AccountPublic | None, *, partner_id: int, vendor: str, side: str
) -> AccountPublic:
    """The fresh actor, if it may act for ``side`` of this pair; PermissionDenied otherwise."""
    current = fresh_actor(session, actor)
    if side not in sides_of(current, partner_id=partner_id, vendor=vendor):
        if side == SIDE_VENDOR:
            raise PermissionDenied("Only the vendor's own accounts may do this for its program.")
        raise PermissionDenied("Only the partner's own accounts may do this for its membership.")
    return current


def ensure_status(current: str, allowed: tuple[str, ...], doing: str) -> None:
    if current not in allowed:
        raise ProgramError(f"A membership that is {STATUS_LABELS[current]} cannot be {doing}.")


def validate_tier(vendor: str, tier: str | None, *, required: bool) -> str | None:
    tiers = get_taxonomy().tiers_of(vendor)
    if tier is None:
        if required:
            raise ProgramError(f"Choose a tier: {', '.join(tiers)}.")
        return None
    if tier not in tiers:
        raise ProgramError(f"{vendor} has no tier {tier!r} (tiers: {', '.join(tiers)}).")
    return tier
