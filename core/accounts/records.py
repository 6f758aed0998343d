"""Account records: creation, role fields, password changes and the audit of each change.

Roles: ``admin``; ``vendor`` (a vendor name and the sales regions it covers); ``partner``
(exactly one partner organisation). The first administrator comes from the command line;
administrators create every other account.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from core.access import PermissionDenied, ensure_admin, fresh_actor
from core.accounts.errors import AccountError
from core.accounts.passwords import check_password_policy, hash_password, verify_password
from core.accounts.sessions import end_sessions
from core.audit import record_change
from core.models import (
    ROLE_ADMIN,
    ROLE_PARTNER,
    ROLE_VENDOR,
    ROLES,
    Account,
    AccountPublic,
    MaxLength,
    Partner,
    clean_text,
    utc_now,
)
from core.taxonomy import get_taxonomy

USERNAME_PATTERN = re.compile(rf"^[a-z0-9][a-z0-9._@-]{{2,{MaxLength.USERNAME - 1}}}$")


def normalize_username(username: str) -> str:
    return (username or "").strip().lower()


def to_public(row: Account) -> AccountPublic:
    return AccountPublic.model_validate(row, from_attributes=True)


def audit_fields(row: Account) -> dict[str, object]:
    return {
        "username": row.username,
        "display_name": row.display_name,
        "role": row.role,
        "partner_id": row.partner_id,
        "vendor_name": row.vendor_name,
        "regions": list(row.regions or []),
        "is_active": row.is_active,
    }


def _validate_regions(regions: Iterable[str]) -> list[str]:
    known = [r.key for r in get_taxonomy().regions]
    chosen = {r.strip() for r in regions if r and r.strip()}
    unknown = sorted(chosen - set(known))
    if unknown:
        raise AccountError(f"Unknown sales region(s): {', '.join(unknown)}.")
    return [k for k in known if k in chosen]


def check_role_fields(
    session: Session,
    role: str,
    partner_id: int | None,
    vendor_name: str | None,
    regions: Iterable[str],
) -> tuple[int | None, str | None, list[str]]:
    """Check that the role-specific fields fit the role; returns them cleaned."""
    if role not in ROLES:
        raise AccountError(f"Role must be one of {', '.join(ROLES)}.")
    vendor = clean_text(vendor_name) or None
    region_keys = _validate_regions(regions)
    if role == ROLE_PARTNER:
        if partner_id is None or session.get(Partner, partner_id) is None:
            raise AccountError("A partner account needs an existing partner organisation.")
        if vendor or region_keys:
            raise AccountError("A partner account has no vendor name or sales regions.")
        return partner_id, None, []
    if partner_id is not None:
        raise AccountError("Only partner accounts belong to a partner organisation.")
    if role == ROLE_VENDOR:
        if not vendor or len(vendor) > MaxLength.VENDOR_NAME:
            raise AccountError(
                f"A vendor account needs a vendor name (up to {MaxLength.VENDOR_NAME} characters)."
            )
        if not region_keys:
            raise AccountError("A vendor account needs at least one sales region.")
        return None, vendor, region_keys
    if vendor or region_keys:
        raise AccountError("An administrator account has no vendor name or sales regions.")
    return None, None, []


def admin_exists(session: Session) -> bool:
    statement = select(Account.id).where(Account.role == ROLE_ADMIN, Account.is_active)
    return session.exec(statement.limit(1)).first() is not None


def create_account(
    *,
    session: Session,
    actor: AccountPublic | None,
    username: str,
    password: str,
    role: str,
    partner_id: int | None = None,
    vendor_name: str | None = None,
    regions: Iterable[str] = (),
    display_name: str = "",
    from_cli: bool = False,
) -> AccountPublic:
    """Create an account. ``actor=None`` is the command line: either explicitly
    (``from_cli=True``) or to bootstrap the first administrator while none exists."""
    if actor is None:
        if not from_cli and not (role == ROLE_ADMIN and not admin_exists(session)):
            raise PermissionDenied("Only administrators may create accounts.")
    else:
        actor = ensure_admin(fresh_actor(session, actor))
    name = normalize_username(username)
    if not USERNAME_PATTERN.match(name):
        raise AccountError(
            f"A username has 3 to {MaxLength.USERNAME} characters: letters, digits and . _ @ - "
            "(starting with a letter or digit)."
        )
    check_password_policy(password)
    display = clean_text(display_name) or ""
    if len(display) > MaxLength.DISPLAY_NAME:
        raise AccountError(f"A display name has at most {MaxLength.DISPLAY_NAME} characters.")
    partner_id, vendor, region_keys = check_role_fields(
        session, role, partner_id, vendor_name, regions
    )
    taken = session.exec(select(Account.id).where(func.lower(Account.username) == name)).first()
    if taken is not None:
        raise AccountError("That username is already taken.")
    row = Account(
        username=name,
        display_name=display,
        password_hash=hash_password(password),
        role=role,
        partner_id=partner_id,
        vendor_name=vendor,
        regions=region_keys,
    )
    session.add(row)
    session.flush()
    record_change(
        session=session,
        actor=actor,
        actor_label=None if actor else "command line",
        entity_type="account",
        entity_id=row.id or 0,
        action="create",
        before={},
        after=audit_fields(row),
    )
    return to_public(row)


def change_password(
    *,
    session: Session,
    actor: AccountPublic,
    current_password: str,
    new_password: str,
    keep_session_id: int | None = None,
) -> None:
    """A signed-in user changes their own password; the current one must be given. Every
    other session of the account ends (``keep_session_id``: the one that made the change)."""
    actor = fresh_actor(session, actor)
    row = session.get(Account, actor.id)
    assert row is not None  # fresh_actor checked it
    if not verify_password(row.password_hash, current_password or ""):
        raise AccountError("The current password is not correct.")
    if new_password == current_password:
        raise AccountError("The new password must differ from the current one.")
    store_password(
        session, actor, row, new_password, action="change_password", keep_session_id=keep_session_id
    )


def store_password(
    session: Session,
    actor: AccountPublic,
    row: Account,
    new_password: str,
    *,
    action: str,
    keep_session_id: int | None = None,
) -> None:
    """A new password; every session of the account ends (except ``keep_session_id``),
    e.g. one left open on a shared or stolen device."""
    check_password_policy(new_password)
    before = {"password_changed_at": row.password_changed_at, "locked_until": row.locked_until}
    row.password_hash = hash_password(new_password)
    row.password_changed_at = utc_now()
    row.failed_sign_ins = 0
    row.locked_until = None
    assert row.id is not None
    ended = end_sessions(
        session, account_id=row.id, now=utc_now(), reason=action, except_id=keep_session_id
    )
    after = {
        "password_changed_at": row.password_changed_at,
        "locked_until": None,
        "sessions_ended": ended,
    }
    save_account_change(session, actor, row, action, before, after)


def save_account_change(
    session: Session,
    actor: AccountPublic,
    row: Account,
    action: str,
    before: dict[str, Any],
    after: dict[str, Any],
) -> AccountPublic:
    """Stage the changed account with its audit event (one transaction, the caller's)."""
    session.add(row)
    record_change(
        session=session,
        actor=actor,
        entity_type="account",
        entity_id=row.id or 0,
        action=action,
        before=before,
        after=after,
    )
    return to_public(row)


def get_account_row(session: Session, account_id: int) -> Account:
    row = session.get(Account, account_id)
    if row is None:
        raise AccountError(f"There is no account {account_id}.")
    return row
