"""Permission checks shared by every write in core.

Pages hide what a role may not use, but hidden widgets are not access control: every core
function that writes calls one of these checks itself, with the actor re-read from the
database (``fresh_actor``) so that a stale or forged ``AccountPublic`` grants nothing.
"""

from __future__ import annotations

from sqlmodel import Session

from core.models import ROLE_ADMIN, ROLE_PARTNER, Account, AccountPublic


class PermissionDenied(Exception):
    """The actor may not do this; the message is safe to show to the user."""


def fresh_actor(session: Session, actor: AccountPublic | None) -> AccountPublic:
    """The actor as the database knows it now: active, with its current role and partner.

    Core writes use this instead of trusting the role fields of the object they were given.
    """
    if actor is None:
        raise PermissionDenied("Please sign in first.")
    row = session.get(Account, actor.id)
    if row is None or not row.is_active:
        raise PermissionDenied("This account is not active.")
    return AccountPublic.model_validate(row, from_attributes=True)


def is_admin(actor: AccountPublic | None) -> bool:
    return actor is not None and actor.is_active and actor.role == ROLE_ADMIN


def can_edit_partner(actor: AccountPublic | None, partner_id: int) -> bool:
    """Admins edit any partner; a partner account only its own organisation."""
    if actor is None or not actor.is_active:
        return False
    if actor.role == ROLE_ADMIN:
        return True
    return (
        actor.role == ROLE_PARTNER
        and actor.partner_id is not None
        and (actor.partner_id == partner_id)
    )


def ensure_admin(actor: AccountPublic | None) -> AccountPublic:
    if actor is None:
        raise PermissionDenied("Please sign in first.")
    if not is_admin(actor):
        raise PermissionDenied("Only administrators may do this.")
    return actor


def ensure_can_edit_partner(actor: AccountPublic | None, partner_id: int) -> AccountPublic:
    if actor is None:
        raise PermissionDenied("Please sign in first.")
    if not can_edit_partner(actor, partner_id):
        raise PermissionDenied("You may only change your own partner organisation.")
    return actor
