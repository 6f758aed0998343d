"""The Outbox page (AppTest): administrators read every message and retry a failed one;
nobody else gets in."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from core.db import session_scope
from core.models import OUTBOX_FAILED, OUTBOX_PENDING, OutboxMessage
from core.notifications.compose import Email
from core.notifications.outbox import enqueue
from tests.app.conftest import AtlasDb, assert_no_exception, open_app, page_text
from tests.app.widgets import click, widget

HOSTILE = "<img src=x onerror=alert(1)>"


def add(db: AtlasDb, name: str, *, failed: bool = False) -> int:
    with session_scope(db.engine) as session:
        row = enqueue(
            session=session, kind="contact_request", to_email="office@example.com",
            to_name=name, essential=True,
            email=Email(subject=f"New request from {name}", greeting=f"Hello {name},"),
        )  # fmt: skip
        assert row is not None
        if failed:
            row.status, row.attempts, row.last_error = OUTBOX_FAILED, 10, "550 no such user"
        session.flush()
        return int(row.id or 0)


def test_an_empty_outbox_says_so_and_explains_where_mail_goes(atlas_db: AtlasDb) -> None:
    with Session(atlas_db.engine) as session:
        for row in session.exec(select(OutboxMessage)).all():
            session.delete(row)
        session.commit()
    at = open_app(atlas_db, "admin_outbox.py", as_="admin")
    assert_no_exception(at)
    text = page_text(at)
    assert "ATLAS_SMTP_URL is not set" in text and "messages stay here" in text
    assert "The outbox is empty" in text
    assert [m.value for m in at.metric] == ["0", "0", "0", "0"]


def test_admin_reads_a_message_as_text_and_retries_a_failed_one(atlas_db: AtlasDb) -> None:
    pending = add(atlas_db, HOSTILE)
    failed = add(atlas_db, "Bea", failed=True)
    at = open_app(atlas_db, "admin_outbox.py", as_="admin")
    assert_no_exception(at)
    table = at.dataframe[0].value
    assert list(table["Id"])[:2] == [failed, pending]  # newest first
    widget(at, "selectbox", "Read message").set_value(pending)
    at.run()
    assert f"Hello {HOSTILE}," in at.code[0].value  # the text part, shown as text
    assert not [m.value for m in at.markdown if "<img" in m.value]
    assert not [b for b in at.button if b.label == "Retry now"]  # only failed ones

    widget(at, "selectbox", "Status").set_value(OUTBOX_FAILED)
    at.run()
    assert list(at.dataframe[0].value["Id"]) == [failed]
    assert "550 no such user" in page_text(at)
    at = click(at, "Retry now")
    assert_no_exception(at)
    assert any(f"Message #{failed} is queued again" in s.value for s in at.success)
    with Session(atlas_db.engine) as session:
        row = session.get(OutboxMessage, failed)
        assert row is not None and (row.status, row.attempts) == (OUTBOX_PENDING, 0)


@pytest.mark.parametrize("role", ["partner_a", "vendor", "anonymous"])
def test_nobody_but_administrators_sees_the_outbox(atlas_db: AtlasDb, role: str) -> None:
    add(atlas_db, "Secret Customer")
    at = open_app(atlas_db, "admin_outbox.py", as_=role)
    assert_no_exception(at)
    text = page_text(at)
    assert "Secret Customer" not in text and not at.dataframe
    assert "does not have access" in text or "Please sign in" in text
