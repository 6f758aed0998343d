"""Sign-in and sign-out: throttled password checks (core.accounts.throttle), server-side
sessions (core.accounts.sessions), single sign-on by email, and the audit of each.

Audit events (entity ``account``): ``sign_in`` (``via`` password or sso), ``sign_in_failed``
(a known account only: an unknown username is not written down, it may be a mistyped
password), ``lock`` (the failure that locked the account), ``sign_out`` and
``sign_out_everywhere``. A throttled address's refusals are not events (they would let
anyone flood the trail); they are counted in ``sign_in_address``.
"""

from __future__ import annotations

from dataclasses import dataclass
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
from core.accounts.sessions import end_sessions, open_session
from core.accounts.throttle import (
    address_is_throttled,
    address_key,
    count_address_failure,
    is_known_address,
    reserve_attempt,
)
from core.audit import ANONYMOUS_LABEL, SYSTEM_LABEL, record_change
from core.models import ROLE_ADMIN, ROLE_VENDOR, Account, AccountEmail, AccountPublic
from core.settings import get_settings

SIGN_IN_FAILED = (
    "Sign-in failed. Check your username and password. After {max} failed attempts an "
    "account is locked for {minutes} minutes."
)
SSO_ROLES = (ROLE_ADMIN, ROLE_VENDOR)  # partners sign in with a password


@dataclass(frozen=True)
class SignInResult:
    account: AccountPublic
    session_id: int  # the new auth_session row
    handoff_code: str  # one-time: the browser trades it for the session cookie


def authenticate(
    *, session: Session, username: str, password: str, now: datetime, address: str | None = None
) -> SignInResult:
    """A new session for these credentials, or ``SignInError`` with one message for every case.

    Order (core.accounts.throttle): address throttle, then the account's atomic count and
    lock, and only then the password hash. Failures are committed here, before the error
    makes the caller's scope roll back; every commit still goes through the unit of work.
    """
    settings = get_settings()
    message = SIGN_IN_FAILED.format(
        max=settings.max_failed_sign_ins, minutes=settings.lockout_minutes
    )
    key = address_key(address)
    password = password or ""
    if address_is_throttled(session, key, now):
        raise SignInError(message)  # no hash, no count against any account
    name = normalize_username(username)
    row = session.exec(select(Account).where(Account.username == name)).first() if name else None
    if row is None or not row.is_active or len(password) > MAX_PASSWORD_LENGTH:
        _fail(session, key, now, None)
        spend_verification_time(password)
        raise SignInError(message)
    assert row.id is not None
    known = is_known_address(session, row.id, key, now)
    allowed, locked_now = reserve_attempt(session, row.id, known_address=known, now=now)
    if not allowed:
        _fail(session, key, now, None)  # locked: refused before any hash
        raise SignInError(message)
    if locked_now:
        until = now + timedelta(minutes=settings.lockout_minutes)
        _system_event(session, row.id, "lock", {"locked_until": None}, {"locked_until": until})
    session.commit()  # the reserved attempt (and a lock) stand whatever the password is
    session.refresh(row)
    if not verify_password(row.password_hash, password):
        _fail(session, key, now, row)
        raise SignInError(message)
    if needs_rehash(row.password_hash):
        row.password_hash = hash_password(password)
    row.failed_sign_ins = 0
    row.locked_until = None
    row.last_sign_in_at = now
    session.add(row)
    return _open(session, row, key, now, via="password")


def sign_in_with_sso(
    *, session: Session, email: str | None, email_verified: bool, now: datetime
) -> SignInResult:
    """A session for the active vendor or admin account whose single sign-on email is the
    provider's verified ``email``; ``SignInError`` otherwise (the provider's password check
    stands in for ours, so no local throttle applies)."""
    refused = SignInError(
        "Single sign-on worked, but no vendor or administrator account here has that email. "
        "Ask an administrator to add it to your account."
    )
    if not email or not email_verified:
        raise refused
    row = session.exec(
        select(Account)
        .join(AccountEmail, AccountEmail.account_id == Account.id)  # type: ignore[arg-type]
        .where(AccountEmail.email == email.strip().lower())
    ).first()
    if row is None or not row.is_active or row.role not in SSO_ROLES:
        raise refused
    row.last_sign_in_at = now
    session.add(row)
    return _open(session, row, None, now, via="sso")


def _open(
    session: Session, row: Account, key: str | None, now: datetime, *, via: str
) -> SignInResult:
    assert row.id is not None
    session_id, code = open_session(
        session=session, account_id=row.id, address_key=key, now=now, via=via
    )
    public = to_public(row)
    record_change(
        session=session,
        actor=public,
        entity_type="account",
        entity_id=row.id,
        action="sign_in",
        before={},
        after={"session": session_id, "via": via},
    )
    return SignInResult(account=public, session_id=session_id, handoff_code=code)


def _fail(session: Session, key: str | None, now: datetime, row: Account | None) -> None:
    """Count a failure against the address, audit it for a known account, and commit."""
    count_address_failure(session, key, now)
    if row is not None and row.id is not None:
        record_change(
            session=session,
            actor=None,
            actor_label=ANONYMOUS_LABEL,
            entity_type="account",
            entity_id=row.id,
            action="sign_in_failed",
            before={},
            after={"failed_sign_ins": row.failed_sign_ins},
        )
    session.commit()


def _system_event(
    session: Session, account_id: int, action: str, before: dict, after: dict
) -> None:
    record_change(
        session=session,
        actor=None,
        actor_label=SYSTEM_LABEL,
        entity_type="account",
        entity_id=account_id,
        action=action,
        before=before,
        after=after,
    )


def sign_out(
    *, session: Session, actor: AccountPublic, session_id: int, everywhere: bool, now: datetime
) -> int:
    """End this browser's session, or every session of the account: how many ended."""
    if everywhere:
        ended = end_sessions(session, account_id=actor.id, now=now, reason="sign_out_everywhere")
    else:
        ended = end_sessions(
            session, account_id=actor.id, now=now, reason="sign_out", only_id=session_id
        )
    record_change(
        session=session,
        actor=actor,
        entity_type="account",
        entity_id=actor.id,
        action="sign_out_everywhere" if everywhere else "sign_out",
        before={},
        after={"sessions_ended": ended},
    )
    return ended
