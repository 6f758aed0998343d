"""Sign-in and browser sessions: lock-out after repeated failures, idle expiry, and the end of
every session that signed in before a password change."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from core.accounts.errors import SignInError
from core.accounts.passwords import (
    MAX_PASSWORD_LENGTH,
    hash_password,
    needs_rehash,
    spend_verification_time,
    verify_password,
)
from core.accounts.records import normalize_username, to_public
from core.audit import SYSTEM_LABEL, record_change
from core.models import Account, AccountPublic
from core.settings import get_settings

SIGN_IN_FAILED = (
    "Sign-in failed. Check your username and password. After {max} failed attempts an "
    "account is locked for {minutes} minutes."
)


def authenticate(*, session: Session, username: str, password: str, now: datetime) -> AccountPublic:
    """The account for these credentials, or ``SignInError`` with one message for every case.

    Failed attempts are counted and committed here, before the error that makes the
    caller's scope roll back; the commit still goes through the unit of work's checks.
    After ``max_failed_sign_ins`` the account is locked for ``lockout_minutes``. The counter,
    the last sign-in time and a re-hashed password are bookkeeping without audit events
    (core.unit_of_work.SIGN_IN_BOOKKEEPING); a lock and the end of an expired one have one.
    """
    settings = get_settings()
    message = SIGN_IN_FAILED.format(
        max=settings.max_failed_sign_ins, minutes=settings.lockout_minutes
    )
    name = normalize_username(username)
    row = session.exec(select(Account).where(Account.username == name)).first() if name else None
    password = password or ""
    if row is None or not row.is_active or len(password) > MAX_PASSWORD_LENGTH:
        spend_verification_time(password)
        raise SignInError(message)
    if row.locked_until is not None and row.locked_until > now:
        spend_verification_time(password)
        raise SignInError(message)
    if row.locked_until is not None:  # an expired lock starts a fresh count
        _audit_lock(session, row, "lock_expired", None)
        row.failed_sign_ins = 0
    if not verify_password(row.password_hash, password):
        row.failed_sign_ins += 1
        if row.failed_sign_ins >= settings.max_failed_sign_ins:
            _audit_lock(session, row, "lock", now + timedelta(minutes=settings.lockout_minutes))
        session.add(row)
        session.commit()
        raise SignInError(message)
    if needs_rehash(row.password_hash):
        row.password_hash = hash_password(password)
    row.failed_sign_ins = 0
    row.locked_until = None
    row.last_sign_in_at = now
    session.add(row)
    session.flush()
    return to_public(row)


def _audit_lock(session: Session, row: Account, action: str, until: datetime | None) -> None:
    """Set or clear the lock of an account, with the system's audit event for it."""
    before = {"locked_until": row.locked_until}
    row.locked_until = until
    record_change(
        session=session,
        actor=None,
        actor_label=SYSTEM_LABEL,
        entity_type="account",
        entity_id=row.id or 0,
        action=action,
        before=before,
        after={"locked_until": until},
    )


def load_session_account(
    *,
    session: Session,
    account_id: int,
    signed_in_at: datetime,
    last_seen_at: datetime,
    now: datetime,
) -> AccountPublic | None:
    """The account of a browser session, or None when it is inactive, gone, idle too long,
    or its password changed after this session signed in (a reset or a change ends every
    other session, e.g. one left open on a shared or stolen device)."""
    row = session.get(Account, account_id)
    if row is None or not row.is_active:
        return None
    if now - last_seen_at > timedelta(minutes=get_settings().session_minutes):
        return None
    if row.password_changed_at > signed_in_at:
        return None
    return to_public(row)
