"""Unsubscribing from non-essential messages with one click, no account needed.

Every non-essential message carries ``unsubscribe_url``: a token for that address (reusable,
a year long, so an old message's link still works). Following it and confirming writes an
``EmailSuppression`` row; the outbox keeps later non-essential messages to that address as
``suppressed``. Essential ones (a request the customer made, a decision on a partner's
deal) still go out.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from core.audit import ANONYMOUS_LABEL, record_change
from core.db import savepoint
from core.models import TOKEN_UNSUBSCRIBE, EmailSuppression
from core.notifications.links import absolute_url
from core.notifications.tokens import TokenError, find_token, issue_token, use_token

UNSUBSCRIBE_VALID_FOR = timedelta(days=365)
PAGE = "email_link"


def unsubscribe_url(*, session: Session, email: str, now: datetime | None = None) -> str:
    """The absolute link that unsubscribes ``email`` (a new token in the caller's session)."""
    raw = issue_token(
        session=session,
        purpose=TOKEN_UNSUBSCRIBE,
        valid_for=UNSUBSCRIBE_VALID_FOR,
        email=email.strip().lower(),
        now=now,
    )
    return absolute_url(PAGE, do="unsubscribe", t=raw)


def masked_email(email: str) -> str:
    """``jo.smith@example.com`` → ``j•••@example.com``: enough to recognise one's own."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}" if domain else "•••"


def unsubscribe_address(*, session: Session, raw: str, now: datetime) -> str:
    """The address a link would unsubscribe (for the confirmation button); TokenError when
    the link is not valid."""
    row = find_token(session=session, raw=raw, purpose=TOKEN_UNSUBSCRIBE, now=now)
    if not row.email:
        raise TokenError("This link is not valid. Please use the link from your email.")
    return row.email


def unsubscribe(*, session: Session, raw: str, now: datetime) -> str:
    """Suppress the link's address from non-essential messages; returns the address.
    Idempotent: a second click (or two at once) changes nothing and says the same."""
    row = use_token(session=session, raw=raw, purpose=TOKEN_UNSUBSCRIBE, now=now, single_use=False)
    email = (row.email or "").strip().lower()
    if not email:
        raise TokenError("This link is not valid. Please use the link from your email.")
    if session.get(EmailSuppression, email) is not None:
        return email
    try:
        # Two clicks at once: the primary key decides, the loser's savepoint rolls back alone.
        with savepoint(session):
            session.add(EmailSuppression(email=email, since=now))
            record_change(
                session=session,
                actor=None,
                actor_label=ANONYMOUS_LABEL,
                entity_type="email_suppression",
                entity_id=email,
                action="unsubscribe",
                before={"suppressed": False},
                after={"suppressed": True, "since": now},
            )
            session.flush()
    except IntegrityError:
        pass
    return email
