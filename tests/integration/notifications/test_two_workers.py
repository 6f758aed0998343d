"""Two workers deliver one outbox at once on PostgreSQL: each message arrives exactly once.

Each worker runs the delivery job in a thread with its own connections (database and SMTP);
the server takes a moment per message, so both are busy at the same time. Only the row
lock (FOR UPDATE SKIP LOCKED) keeps them apart. PostgreSQL only: SQLite ignores FOR UPDATE
and runs one writer at a time.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from core.models import OUTBOX_SENT, OutboxMessage, utc_now
from core.notifications.delivery import deliver_due
from tests.integration.notifications.conftest import add_messages
from tests.integration.notifications.smtp_server import SmtpServer

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize(
        "db_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
    ),
]
MESSAGES = 40


def test_two_workers_at_once_send_every_message_exactly_once(
    db_engine: Engine, smtp_server: SmtpServer
) -> None:
    ids = add_messages(db_engine, MESSAGES)
    smtp_server.collector.delay = 0.02
    now = utc_now()
    start = threading.Barrier(2, timeout=30)
    tried: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait()
            tried.append(deliver_due(db_engine, now, smtp_url=smtp_server.url))
        except BaseException as exc:  # surfaced below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    received = smtp_server.collector.message_ids()
    assert sorted(received) == sorted(ids)
    assert set(received.values()) == {1}, [m for m, n in received.items() if n > 1]
    assert sorted(tried) != [0, MESSAGES] and sum(tried) == MESSAGES  # both did a share
    with Session(db_engine) as session:
        statuses = session.exec(select(OutboxMessage.status, OutboxMessage.attempts)).all()
    assert set(statuses) == {(OUTBOX_SENT, 1)}
