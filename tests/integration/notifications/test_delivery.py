"""Delivery over a real SMTP server (aiosmtpd): what arrives, what is marked, and what an
outage, a refusal or a missing server does to the outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from core.models import OUTBOX_FAILED, OUTBOX_PENDING, OUTBOX_SENT, OutboxMessage, utc_now
from core.notifications.delivery import MAX_ATTEMPTS, deliver_due
from core.settings import get_settings
from tests.integration.notifications.conftest import add_messages
from tests.integration.notifications.smtp_server import SmtpServer

HOSTILE = "<img src=x onerror=alert(1)>"


def rows(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())


def test_a_message_arrives_as_text_and_html_with_its_message_id(
    db_engine: Engine, smtp_server: SmtpServer
) -> None:
    (message_id,) = add_messages(db_engine, 1, to="ana@example.test")
    now = utc_now()
    assert deliver_due(db_engine, now, smtp_url=smtp_server.url) == 1
    (mail,) = smtp_server.collector.received
    assert mail["Message-ID"] == message_id
    assert mail["Subject"] == "Message 0"
    assert mail["From"] == "Partner Atlas <atlas@example.test>"
    assert mail["To"] == "Ana <ana@example.test>" and mail["Date"]
    assert mail.get_content_type() == "multipart/alternative"
    text, html = (part.get_content_type() for part in mail.iter_parts())
    assert (text, html) == ("text/plain", "text/html")
    assert "http://atlas.test/my_leads?n=0" in mail.get_body(("plain",)).get_content()
    assert smtp_server.collector.envelopes == [("atlas@example.test", ["ana@example.test"])]
    (row,) = rows(db_engine)
    assert (row.status, row.attempts, row.sent_at, row.last_error) == (OUTBOX_SENT, 1, now, "")
    assert deliver_due(db_engine, now + timedelta(hours=2), smtp_url=smtp_server.url) == 0


def test_a_hostile_name_arrives_in_the_html_part_as_text(
    db_engine: Engine, smtp_server: SmtpServer
) -> None:
    add_messages(db_engine, 1, name=HOSTILE)
    deliver_due(db_engine, utc_now(), smtp_url=smtp_server.url)
    (mail,) = smtp_server.collector.received
    html = mail.get_body(("html",)).get_content()
    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert HOSTILE in mail.get_body(("plain",)).get_content()


def test_without_an_smtp_url_messages_stay_in_the_outbox(db_engine: Engine) -> None:
    add_messages(db_engine, 2)
    assert deliver_due(db_engine, utc_now() + timedelta(days=1)) == 0
    assert {(r.status, r.attempts) for r in rows(db_engine)} == {(OUTBOX_PENDING, 0)}


def test_a_message_due_later_waits(db_engine: Engine, smtp_server: SmtpServer) -> None:
    add_messages(db_engine, 1)
    assert deliver_due(db_engine, utc_now() - timedelta(minutes=5), smtp_url=smtp_server.url) == 0
    assert smtp_server.collector.received == []


def test_an_outage_in_the_middle_of_a_batch_loses_nothing_and_sends_nothing_twice(
    db_engine: Engine, smtp_server: SmtpServer
) -> None:
    ids = add_messages(db_engine, 8)
    t0 = utc_now()
    smtp_server.collector.accept_then_drop = 3  # the connection drops at the 4th message
    assert deliver_due(db_engine, t0, smtp_url=smtp_server.url) == 4  # then the batch stops
    assert sorted(smtp_server.collector.message_ids()) == sorted(ids[:3])
    by_id = {r.message_id: r for r in rows(db_engine)}
    fourth = by_id[ids[3]]
    assert (fourth.status, fourth.attempts) == (OUTBOX_PENDING, 1)
    assert fourth.next_attempt_at == t0 + timedelta(minutes=1)
    assert "127.0.0.1" in fourth.last_error
    assert all(by_id[i].attempts == 0 for i in ids[4:])  # untouched, not hammered

    smtp_server.stop()  # the server is down: connection refused
    t1 = t0 + timedelta(minutes=2)
    assert deliver_due(db_engine, t1, smtp_url=smtp_server.url) == 1
    tried = [r for r in rows(db_engine) if r.last_error and "refused" in r.last_error]
    assert len(tried) == 1 and tried[0].next_attempt_at == t1 + timedelta(minutes=1)
    assert {r.status for r in rows(db_engine)} == {OUTBOX_SENT, OUTBOX_PENDING}

    smtp_server.collector.accept_then_drop = None
    smtp_server.start()  # back on the same port
    deliver_due(db_engine, t1 + timedelta(minutes=10), smtp_url=smtp_server.url)
    received = smtp_server.collector.message_ids()
    assert sorted(received) == sorted(ids) and set(received.values()) == {1}
    assert len(smtp_server.collector.connections) == 2  # one per batch that reached it
    assert {r.status for r in rows(db_engine)} == {OUTBOX_SENT}


def test_a_refused_recipient_fails_with_the_reason_and_the_batch_goes_on(
    db_engine: Engine, smtp_server: SmtpServer
) -> None:
    add_messages(db_engine, 3)
    smtp_server.collector.refuse["p1@example.test"] = "550 5.1.1 no such mailbox"
    assert deliver_due(db_engine, utc_now(), smtp_url=smtp_server.url) == 3
    statuses = [(r.to_email, r.status) for r in rows(db_engine)]
    assert statuses == [
        ("p0@example.test", OUTBOX_SENT),
        ("p1@example.test", OUTBOX_FAILED),
        ("p2@example.test", OUTBOX_SENT),
    ]
    assert "550 5.1.1 no such mailbox" in rows(db_engine)[1].last_error


def test_a_temporary_refusal_retries_with_backoff_until_it_gives_up(
    db_engine: Engine, smtp_server: SmtpServer
) -> None:
    add_messages(db_engine, 1)
    smtp_server.collector.refuse["p0@example.test"] = "450 4.2.1 mailbox busy"
    now = utc_now()
    waits = []
    for _ in range(MAX_ATTEMPTS):
        assert deliver_due(db_engine, now, smtp_url=smtp_server.url) == 1
        (row,) = rows(db_engine)
        waits.append(row.next_attempt_at - now)
        now = row.next_attempt_at
    assert waits[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert max(waits) == timedelta(hours=1)
    (row,) = rows(db_engine)
    assert (row.status, row.attempts) == (OUTBOX_FAILED, MAX_ATTEMPTS)
    assert "450 4.2.1 mailbox busy" in row.last_error


def test_credentials_in_the_url_are_decoded_and_never_shown(db_engine: Engine) -> None:
    server = SmtpServer(login=("atlas@example.test", "p@ss:w/rd"))
    server.start()
    try:
        add_messages(db_engine, 2)
        wrong = f"smtp://atlas%40example.test:wrong-secret@127.0.0.1:{server.port}"
        assert deliver_due(db_engine, utc_now(), smtp_url=wrong) == 1  # bad login: stop
        failed = [r for r in rows(db_engine) if r.attempts]
        assert len(failed) == 1 and "wrong-secret" not in failed[0].last_error
        assert "535" in failed[0].last_error
        good = f"smtp://atlas%40example.test:p%40ss%3Aw%2Frd@127.0.0.1:{server.port}"
        assert deliver_due(db_engine, utc_now() + timedelta(hours=1), smtp_url=good) == 2
        assert server.logins == ["atlas@example.test"]
        assert len(server.collector.received) == 2
    finally:
        server.stop()


def test_a_message_that_cannot_be_an_email_fails_alone_and_adds_no_header(
    db_engine: Engine, smtp_server: SmtpServer
) -> None:
    add_messages(db_engine, 2)
    with Session(db_engine) as session:  # as if written before enqueue cleaned addresses
        first = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).first()
        assert first is not None
        first.to_email = "a@example.test\r\nBcc: victim@example.test"
        session.commit()
    assert deliver_due(db_engine, utc_now(), smtp_url=smtp_server.url) == 2
    bad, good = rows(db_engine)
    assert (bad.status, good.status) == (OUTBOX_FAILED, OUTBOX_SENT)
    assert "not a valid email" in bad.last_error
    assert [rcpts for _sender, rcpts in smtp_server.collector.envelopes] == [["p1@example.test"]]


def test_a_bad_sender_setting_touches_no_message(
    db_engine: Engine, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_messages(db_engine, 2)
    monkeypatch.setenv("ATLAS_MAIL_FROM", "Partner Atlas")
    get_settings.cache_clear()
    with pytest.raises(ValueError, match="ATLAS_MAIL_FROM"):
        deliver_due(db_engine, utc_now(), smtp_url=smtp_server.url)
    assert {(r.status, r.attempts) for r in rows(db_engine)} == {(OUTBOX_PENDING, 0)}
    assert smtp_server.collector.received == []
