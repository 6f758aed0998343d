"""One-click links: a random 256-bit token in the link, only its SHA-256 in the database.

Nothing can be forged (there is no payload to sign) and a leaked database answers nothing.
A token has one purpose and an expiry; ``use_token`` marks it used in the same
transaction as the action it allows, so it works once (an unsubscribe link may be reused:
``single_use=False``).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import CursorResult, update
from sqlmodel import Session, col

from core.models import TOKEN_PURPOSES, OneClickToken, utc_now


class TokenError(ValueError):
    """The link is unknown, expired, already used or meant for something else; the message
    is for the visitor who clicked it."""


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def issue_token(
    *,
    session: Session,
    purpose: str,
    valid_for: timedelta,
    lead_id: int | None = None,
    partner_id: int | None = None,
    email: str | None = None,
    now: datetime | None = None,
) -> str:
    """A new token for a link (the raw value: put it in the URL, never store it)."""
    if purpose not in TOKEN_PURPOSES:
        raise ValueError(f"unknown token purpose {purpose!r}")
    raw = secrets.token_urlsafe(32)
    created = now or utc_now()
    session.add(
        OneClickToken(
            token_hash=token_hash(raw),
            purpose=purpose,
            lead_id=lead_id,
            partner_id=partner_id,
            email=email.lower() if email else None,
            created_at=created,
            expires_at=created + valid_for,
        )
    )
    return raw


def find_token(*, session: Session, raw: str, purpose: str, now: datetime) -> OneClickToken:
    """The token of a clicked link, still valid for ``purpose`` (TokenError otherwise)."""
    row = session.get(OneClickToken, token_hash(raw)) if raw and len(raw) <= 100 else None
    if row is None or row.purpose != purpose:
        raise TokenError("This link is not valid. Please use the link from your email.")
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=now.tzinfo)
    if expires < now:
        raise TokenError("This link has expired.")
    return row


def use_token(
    *,
    session: Session,
    raw: str,
    purpose: str,
    now: datetime,
    answer: str | None = None,
    single_use: bool = True,
) -> OneClickToken:
    """Mark the token used (guarded UPDATE: of two clicks at once, one wins); raise
    TokenError when it was used already."""
    row = find_token(session=session, raw=raw, purpose=purpose, now=now)
    if not single_use:
        return row
    result = session.execute(
        update(OneClickToken)
        .where(col(OneClickToken.token_hash) == row.token_hash)
        .where(col(OneClickToken.used_at).is_(None))
        .values(used_at=now, answer=answer)
        .execution_options(synchronize_session=False)
    )
    if not isinstance(result, CursorResult) or result.rowcount != 1:
        raise TokenError("This link has been used already. Thank you, your answer is recorded.")
    session.refresh(row)
    return row
