"""TEMPORARY stand-in for n12c's helper (same signature), dropped at merge."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from core.models import TOKEN_UNSUBSCRIBE
from core.notifications.links import absolute_url
from core.notifications.tokens import issue_token


def unsubscribe_url(*, session: Session, email: str) -> str:
    raw = issue_token(
        session=session, purpose=TOKEN_UNSUBSCRIBE, valid_for=timedelta(days=365), email=email
    )
    return absolute_url("email_link", do="unsubscribe", t=raw)
