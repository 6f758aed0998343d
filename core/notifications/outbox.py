"""Writing messages to the outbox, in the caller's transaction.

``enqueue`` only adds rows to the caller's Session: the message exists exactly when the
event that caused it commits, and a rolled-back event sends nothing. Delivery is the
worker's (core.notifications.delivery).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core.db import savepoint
from core.models import (
    OUTBOX_PENDING,
    OUTBOX_SUPPRESSED,
    EmailSuppression,
    OutboxMessage,
    utc_now,
)
from core.notifications.compose import Email, render_html, render_text, subject_line

MESSAGE_ID_DOMAIN = "partner-atlas"


def new_message_id() -> str:
    return f"<{uuid.uuid4().hex}@{MESSAGE_ID_DOMAIN}>"


def is_suppressed(*, session: Session, email: str) -> bool:
    return session.get(EmailSuppression, email.strip().lower()) is not None


def enqueue(
    *,
    session: Session,
    kind: str,
    to_email: str,
    to_name: str = "",
    email: Email,
    essential: bool,
    partner_id: int | None = None,
    lead_id: int | None = None,
    dedup_key: str | None = None,
    send_after: datetime | None = None,
) -> OutboxMessage | None:
    """Add one message to the outbox; None when ``dedup_key`` was enqueued before.

    A non-essential message must carry an unsubscribe link; to an address that
    unsubscribed it is kept as ``suppressed`` (visible to administrators, never sent).
    """
    if not essential and not email.unsubscribe_url:
        raise ValueError("a non-essential message needs an unsubscribe link")
    if dedup_key is not None:
        taken = session.exec(
            select(OutboxMessage.id).where(col(OutboxMessage.dedup_key) == dedup_key)
        ).first()
        if taken is not None:
            return None
    suppressed = not essential and is_suppressed(session=session, email=to_email)
    message = OutboxMessage(
        message_id=new_message_id(),
        dedup_key=dedup_key,
        kind=kind,
        essential=essential,
        to_email=to_email.strip(),
        to_name=" ".join(to_name.split())[:120],
        subject=subject_line(email),
        text_body=render_text(email),
        html_body=render_html(email),
        partner_id=partner_id,
        lead_id=lead_id,
        status=OUTBOX_SUPPRESSED if suppressed else OUTBOX_PENDING,
        next_attempt_at=send_after or utc_now(),
    )
    if dedup_key is None:
        session.add(message)
        return message
    try:
        # Two workers may race to the same dedup key: the unique index decides, and the
        # loser's savepoint rolls back alone, leaving its transaction usable.
        with savepoint(session):
            session.add(message)
            session.flush()
    except IntegrityError:
        return None
    return message
