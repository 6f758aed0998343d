"""Delivering the outbox: the worker's last job of every pass.

One message per transaction: its row is claimed with ``SELECT … FOR UPDATE SKIP LOCKED``
(PostgreSQL; SQLite ignores it and runs one writer at a time), sent, and marked sent in the
same transaction only after the server accepted it. A second worker skips a claimed row,
and sees it as sent once the first commits, so no message goes out twice from two workers.
(A crash between the server's "250 OK" and the commit would send it again, with the same
Message-ID: at least once, never lost, duplicates recognisable.)

Failures: a refusal of this message (5xx) fails it with the reason; a temporary refusal
(4xx) retries it with exponential backoff until ``MAX_ATTEMPTS``; an outage (no connection,
a dropped one, a server closing down, a bad login) backs the message in hand off, stops the
batch — nothing else is touched — and never fails a message: an outage loses nothing.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from core.db import session_scope
from core.models import OUTBOX_FAILED, OUTBOX_PENDING, OUTBOX_SENT, OutboxMessage, utc_now
from core.notifications.smtp import (
    SmtpTarget,
    build_message,
    check_mail_from,
    close_quietly,
    connect,
    parse_smtp_url,
)
from core.settings import get_settings

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
BATCH_SIZE = 50
FIRST_DELAY = timedelta(minutes=1)
LONGEST_DELAY = timedelta(hours=1)
ERROR_LENGTH = 500


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed try: 1 min, 2, 4, … at most 1 h."""
    if attempts < 1:
        return timedelta(0)
    return min(FIRST_DELAY * 2 ** min(attempts - 1, 16), LONGEST_DELAY)


@dataclass(frozen=True)
class Outcome:
    sent: bool = False
    permanent: bool = False  # the server refused this message for good
    outage: bool = False  # the server is not there (or not usable): stop the batch
    error: str = ""


def _error_text(exc: BaseException, target: SmtpTarget) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        detail = "; ".join(f"{code} {_decode(reply)}" for code, reply in exc.recipients.values())
        text = f"recipient refused: {detail}"
    elif isinstance(exc, smtplib.SMTPResponseException):
        text = f"{exc.smtp_code} {_decode(exc.smtp_error)}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    text = f"{target.describe()}: {text}"
    if target.password:  # never a password in a column administrators read
        text = text.replace(target.password, "***")
    return text[:ERROR_LENGTH]


def _decode(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def classify(exc: BaseException, target: SmtpTarget) -> Outcome:
    """What a failed send means for the message and for the rest of the batch."""
    error = _error_text(exc, target)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _reply in exc.recipients.values()]
        return Outcome(permanent=bool(codes) and all(c >= 500 for c in codes), error=error)
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        # e.g. a non-ASCII address and a server without SMTPUTF8: this message never goes.
        return Outcome(permanent=True, error=error)
    if isinstance(exc, smtplib.SMTPSenderRefused | smtplib.SMTPAuthenticationError):
        # Our From or our login: every message would meet it, so it is the setup, not this one.
        return Outcome(outage=True, error=error)
    if isinstance(exc, smtplib.SMTPResponseException):
        if exc.smtp_code == 421:  # "service not available, closing channel"
            return Outcome(outage=True, error=error)
        return Outcome(permanent=exc.smtp_code >= 500, error=error)
    # No connection, a dropped one, a timeout, no greeting, TLS trouble: an outage.
    return Outcome(outage=True, error=error)


def _claim(session: Session, now: datetime) -> OutboxMessage | None:
    statement = (
        select(OutboxMessage)
        .where(col(OutboxMessage.status) == OUTBOX_PENDING)
        .where(col(OutboxMessage.next_attempt_at) <= now)
        .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return session.exec(statement).first()


def _settle(row: OutboxMessage, outcome: Outcome, now: datetime) -> None:
    row.attempts += 1
    if outcome.sent:
        row.status, row.sent_at, row.last_error = OUTBOX_SENT, now, ""
        return
    row.last_error = outcome.error
    if outcome.permanent or (not outcome.outage and row.attempts >= MAX_ATTEMPTS):
        row.status = OUTBOX_FAILED
    else:
        row.next_attempt_at = now + backoff(row.attempts)


class _Connection:
    """One SMTP connection per batch, opened at the first due message (not for an empty
    outbox)."""

    def __init__(self, target: SmtpTarget) -> None:
        self.target = target
        self.client: smtplib.SMTP | None = None

    def send(self, row: OutboxMessage, *, mail_from: str, now: datetime) -> Outcome:
        try:
            message = build_message(row, mail_from=mail_from, date=now)
        except (ValueError, TypeError) as exc:  # e.g. a line break in an address
            return Outcome(permanent=True, error=f"not a valid email: {exc}"[:ERROR_LENGTH])
        try:
            if self.client is None:
                self.client = connect(self.target)
            self.client.send_message(message, to_addrs=[row.to_email])
        except (smtplib.SMTPException, OSError) as exc:
            outcome = classify(exc, self.target)
            if outcome.outage:
                self.close()
            return outcome
        except Exception as exc:
            # Anything else (an address the encoder chokes on, a library surprise) must not
            # stop delivery for good: this message retries and finally fails, the others go
            # on, on a fresh connection since this one's state is unknown.
            self.close()
            return Outcome(error=f"{type(exc).__name__}: {exc}"[:ERROR_LENGTH])
        return Outcome(sent=True)

    def close(self) -> None:
        close_quietly(self.client)
        self.client = None


def deliver_due(
    engine: Engine,
    now: datetime | None = None,
    *,
    smtp_url: str | None = None,
    batch_size: int = BATCH_SIZE,
) -> int:
    """Send what is due at ``now``; returns how many messages were tried. Without an SMTP
    URL (argument or ATLAS_SMTP_URL) nothing happens: messages wait in the outbox."""
    settings = get_settings()
    url = smtp_url if smtp_url is not None else settings.smtp_url
    if not url:
        return 0
    target = parse_smtp_url(url)
    mail_from = check_mail_from(settings.mail_from)
    moment = now or utc_now()
    connection = _Connection(target)
    tried = 0
    try:
        for _ in range(batch_size):
            with session_scope(engine) as session:
                row = _claim(session, moment)
                if row is None:
                    break
                outcome = connection.send(row, mail_from=mail_from, now=moment)
                _settle(row, outcome, moment)
                tried += 1
                if not outcome.sent:
                    log.warning("message %s not sent: %s", row.id, outcome.error)
            # Committed on leaving the block: the row lock is held until the message is
            # marked, so no other worker can claim it in between.
            if outcome.outage:
                break
    finally:
        connection.close()
    return tried


def deliver_job(engine: Engine, now: datetime) -> int:
    """The worker's delivery job (core.worker.jobs)."""
    return deliver_due(engine, now)
