"""A real SMTP server per test (aiosmtpd), and messages in the outbox to deliver."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from core.db import session_scope
from core.notifications.compose import Email
from core.notifications.outbox import enqueue
from core.settings import get_settings
from tests.integration.notifications.smtp_server import SmtpServer


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No SMTP server from the shell's environment; settings read afresh per test."""
    monkeypatch.delenv("ATLAS_SMTP_URL", raising=False)
    monkeypatch.setenv("ATLAS_MAIL_FROM", "Partner Atlas <atlas@example.test>")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def add_messages(engine: Engine, count: int, *, name: str = "Ana", to: str = "") -> list[str]:
    """``count`` essential messages in the outbox; their Message-IDs, in order."""
    ids = []
    with session_scope(engine) as session:
        for n in range(count):
            email = Email(
                subject=f"Message {n}",
                greeting=f"Hello {name},",
                paragraphs=[f"This is message {n}."],
                facts=[("Customer", name)],
                actions=[("Open it", f"http://atlas.test/my_leads?n={n}")],
            )
            row = enqueue(
                session=session, kind="contact_request", to_email=to or f"p{n}@example.test",
                to_name=name, email=email, essential=True,
            )  # fmt: skip
            assert row is not None
            ids.append(row.message_id)
    return ids
