"""Server-side sign-in sessions: a random token in a cookie, its SHA-256 in ``auth_session``.

How the cookie is set (Streamlit 1.67): ``st.context.cookies`` only reads the cookies the
browser sent with the page's first request, and a script run talks to the browser over a
WebSocket, which cannot set a cookie. A JavaScript snippet (``st.html``/a component) could
write ``document.cookie``, but such a cookie can never be HttpOnly, so any script injected
into the page could steal the session. ``st.login`` sets an HttpOnly cookie, but only for an
OpenID Connect identity, not for our own username/password accounts.

So the app is served by ``deploy/serve.py`` (an ``st.App`` with Starlette middleware) and
that middleware owns one route: a successful sign-in creates the session row with a one-time
hand-over code (hashed, valid ``HANDOFF_SECONDS``); the page sends the browser to
``/_atlas/session?code=…&next=<page>``; the route trades the code for the session token,
sets it as an HttpOnly, SameSite=Lax (Secure over https) cookie, Path=/, and redirects to
the page asked for. Every page run then reads the cookie with ``st.context.cookies`` and
``resolve_session`` checks the row (live, not expired, account active) in the database, so
a sign-out, a password change or a deactivation ends the session everywhere at the next
action of any tab. The token itself never appears in a URL.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from core.models import Account, AccountPublic, AuthSession
from core.settings import get_settings

COOKIE_NAME = "atlas_session"
HANDOFF_SECONDS = 60
# last_seen_at is written at most this often (a page run is not worth a write each).
TOUCH_EVERY = timedelta(minutes=1)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class SignedIn:
    account: AccountPublic
    session_id: int


def open_session(
    *, session: Session, account_id: int, address_key: str | None, now: datetime, via: str
) -> tuple[int, str]:
    """A new session row for the account: ``(session id, one-time hand-over code)``."""
    code = secrets.token_urlsafe(32)
    row = AuthSession(
        account_id=account_id,
        handoff_hash=hash_secret(code),
        handoff_expires_at=now + timedelta(seconds=HANDOFF_SECONDS),
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(minutes=get_settings().session_minutes),
        address_key=address_key,
        via=via,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id, code


def redeem_handoff(*, session: Session, code: str, now: datetime) -> str | None:
    """Trade a hand-over code for the session's cookie token, once; None if it is unknown,
    used, expired, or its session has ended. One guarded UPDATE: a code works once."""
    if not code or len(code) > 100:
        return None
    token = secrets.token_urlsafe(32)
    table = AuthSession.__table__  # type: ignore[attr-defined]
    result = session.connection().execute(
        update(table)
        .where(
            table.c.handoff_hash == hash_secret(code),
            table.c.handoff_expires_at > now,
            table.c.ended_at.is_(None),
        )
        .values(token_hash=hash_secret(token), handoff_hash=None, handoff_expires_at=None)
    )
    return token if result.rowcount == 1 else None


def resolve_session(
    *, session: Session, now: datetime, token: str | None = None, session_id: int | None = None
) -> SignedIn | None:
    """The account of a live session (by cookie token or by id), or None: ended, expired,
    unknown, or the account is inactive. Slides the expiry forward (at most once a minute)."""
    if token:
        where = col(AuthSession.token_hash) == hash_secret(token)
    elif session_id is not None:
        where = col(AuthSession.id) == session_id
    else:
        return None
    found = session.exec(
        select(AuthSession, Account)
        .join(Account, col(Account.id) == AuthSession.account_id)
        .where(where)
    ).first()
    if found is None:
        return None
    row, account = found
    if row.ended_at is not None or row.expires_at <= now or not account.is_active:
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        row.expires_at = now + timedelta(minutes=get_settings().session_minutes)
        session.add(row)
    assert row.id is not None
    public = AccountPublic.model_validate(account, from_attributes=True)
    return SignedIn(account=public, session_id=row.id)


def end_sessions(
    session: Session,
    *,
    account_id: int,
    now: datetime,
    reason: str,
    only_id: int | None = None,
    except_id: int | None = None,
) -> int:
    """End the account's live sessions (or just ``only_id``): how many ended."""
    table = AuthSession.__table__  # type: ignore[attr-defined]
    statement = update(table).where(table.c.account_id == account_id, table.c.ended_at.is_(None))
    if only_id is not None:
        statement = statement.where(table.c.id == only_id)
    if except_id is not None:
        statement = statement.where(table.c.id != except_id)
    result = session.connection().execute(
        statement.values(ended_at=now, ended_reason=reason, handoff_hash=None)
    )
    return int(result.rowcount or 0)
