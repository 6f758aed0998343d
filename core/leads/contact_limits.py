"""The contact-form rate limit, kept in the database (a reload or a new browser resets nothing).

At most ``limit`` requests in any rolling hour per visitor address and per email typed.
Both are stored as SHA-256 keys only (``ContactAttempt``): the table answers "how many
from this key lately", never "who". A visitor whose address is unknown (a test, a proxy
that hides it) is keyed by its browser session instead; its email still counts across
sessions and addresses.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import CursorResult, Engine, delete, func
from sqlmodel import Session, col, select

from core.db import session_scope
from core.models import ContactAttempt

RATE_WINDOW = timedelta(hours=1)
# Attempts are kept a day (beyond the hour the limit needs, for an administrator looking
# into abuse), then the worker forgets them.
KEEP_ATTEMPTS = timedelta(days=1)


@dataclass(frozen=True)
class RateLimit:
    allowed: bool
    sent_in_window: int
    retry_after: timedelta  # zero when allowed


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def visitor_key(*, address: str | None, session_id: str) -> str:
    """The key of a visitor: its address when known, else its browser session."""
    if address and address.strip():
        return _sha256(f"ip:{address.strip().lower()}")
    return _sha256(f"session:{session_id}")


def email_key(email: str) -> str:
    return _sha256(f"email:{email.strip().lower()}")


def rate_from(
    *, count: int, limit_th_newest: datetime | None, now: datetime, limit: int
) -> RateLimit:
    """The verdict from what the database counted: ``count`` requests in the window, and the
    time of the ``limit``-th newest of them (when it leaves the window, one more is allowed)."""
    if count < limit:
        return RateLimit(True, count, timedelta(0))
    if limit_th_newest is None:  # a limit of 0: nothing is ever allowed
        return RateLimit(False, count, RATE_WINDOW)
    retry = limit_th_newest + RATE_WINDOW - now
    return RateLimit(False, count, max(retry, timedelta(0)))


def _rate_for(session: Session, column: str, key: str, now: datetime, limit: int) -> RateLimit:
    field = col(getattr(ContactAttempt, column))
    in_window = (field == key, col(ContactAttempt.sent_at) > now - RATE_WINDOW)
    # Both queries are answered by the (key, sent_at) index.
    count = int(session.exec(select(func.count()).where(*in_window)).one())
    limit_th_newest = None
    if count >= limit > 0:
        limit_th_newest = session.exec(
            select(ContactAttempt.sent_at)
            .where(*in_window)
            .order_by(col(ContactAttempt.sent_at).desc())
            .offset(limit - 1)
            .limit(1)
        ).first()
        if limit_th_newest is not None and limit_th_newest.tzinfo is None:
            limit_th_newest = limit_th_newest.replace(tzinfo=now.tzinfo)  # SQLite drops it
    return rate_from(count=count, limit_th_newest=limit_th_newest, now=now, limit=limit)


def check_rate_limit(
    *, session: Session, visitor: str, email: str, now: datetime, limit: int
) -> RateLimit:
    """Whether one more request is allowed now, by visitor key and by email key; when both
    refuse, the later of the two retry times."""
    by_visitor = _rate_for(session, "visitor_key", visitor, now, limit)
    by_email = _rate_for(session, "email_key", email_key(email), now, limit)
    refused = [rate for rate in (by_visitor, by_email) if not rate.allowed]
    if not refused:
        return by_visitor
    return max(refused, key=lambda rate: (rate.retry_after, rate.sent_in_window))


def record_attempt(*, session: Session, visitor: str, email: str, now: datetime) -> None:
    """Count one request (a team request is one, however many partners it reaches)."""
    session.add(ContactAttempt(visitor_key=visitor, email_key=email_key(email), sent_at=now))


def rate_limit_text(rate: RateLimit) -> str:
    minutes = max(1, int(rate.retry_after.total_seconds() // 60) + 1)
    return (
        f"You have sent {rate.sent_in_window} requests in the last hour. To keep the "
        f"directory free of spam, please try again in {minutes} minutes."
    )


def forget_old_attempts(engine: Engine, now: datetime) -> int:
    """The worker's job: delete attempts older than a day (the limit reads one hour)."""
    with session_scope(engine) as session:
        result = session.execute(
            delete(ContactAttempt).where(col(ContactAttempt.sent_at) < now - KEEP_ATTEMPTS)
        )
    return result.rowcount if isinstance(result, CursorResult) else 0
