"""Three days after a contact request: the follow-up, its one-click answers (SQLite and
PostgreSQL)."""

from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from core.db import session_scope
from core.leads.contact_requests import send_contact_request
from core.leads.feedback import record_contact_answer
from core.leads.followup import due_followups, run_followups
from core.models import (
    AuditEvent,
    LeadFeedback,
    OneClickToken,
    OutboxMessage,
    PartnerCreate,
    utc_now,
)
from core.notifications.tokens import TokenError
from tests.integration.worlds import add_partners, in_austin

GOOD = {"contact_name": "Dana Lee", "contact_email": "dana@example.com",
        "company_size": "1-10", "needs": ["security"], "message": "Firewall please"}  # fmt: skip
NOW = utc_now()


def partner(name: str) -> PartnerCreate:
    created = in_austin(name)
    created.email = "office@partners.example"
    return created


def request_lead(
    engine: Engine, partner_id: int, *, at: datetime, email: str = "dana@example.com"
) -> int:
    with session_scope(engine) as session:
        outcome = send_contact_request(
            session=session, partner_ids=[partner_id], team=False,
            values={**GOOD, "contact_email": email}, visitor_address=f"ip-{email}",
            session_id="s", now=at, limit=5,
        )  # fmt: skip
    return outcome.leads[0].id or 0


def followups(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(OutboxMessage).where(OutboxMessage.kind == "customer_followup")
            ).all()
        )


def links_of(message: OutboxMessage) -> dict[str, dict[str, str]]:
    """Each link of the text body by its query (do + a), with its parameters."""
    found = {}
    for url in re.findall(r"https?://\S+", message.text_body):
        if url:
            query = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
            found[query.get("do", "") + ":" + query.get("a", "")] = query
    return found


def answer(engine: Engine, raw: str, value: str, *, now: datetime = NOW):  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return record_contact_answer(session=session, raw=raw, answer=value, now=now)


def test_the_followup_is_due_after_three_days_and_written_once(db_engine: Engine):
    (alpha,) = add_partners(db_engine, [partner("Alpha Networks")])
    due = request_lead(db_engine, alpha, at=NOW - timedelta(days=3, hours=1))
    request_lead(db_engine, alpha, at=NOW - timedelta(days=2), email="early@example.com")
    request_lead(db_engine, alpha, at=NOW - timedelta(days=11), email="old@example.com")
    with Session(db_engine) as session:
        assert due_followups(session=session, now=NOW) == [due]
    assert run_followups(db_engine, NOW) == 1
    assert run_followups(db_engine, NOW) == 0  # the second pass finds nothing due
    (message,) = followups(db_engine)
    assert (message.lead_id, message.dedup_key, message.essential) == (
        due,
        f"followup:{due}",
        False,
    )
    assert message.subject == "Did Alpha Networks contact you?"
    assert message.to_email == "dana@example.com" and message.status == "pending"
    links = links_of(message)
    assert set(links) == {"contacted:yes", "contacted:no", "unsubscribe:"}
    assert links["contacted:yes"]["t"] == links["contacted:no"]["t"]  # one token, two answers
    assert "http://localhost:8501/email_link?do=contacted&t=" in message.text_body


def test_two_workers_at_once_write_one_followup(db_engine: Engine):
    if db_engine.dialect.name == "sqlite":
        pytest.skip("one writer at a time on SQLite; the sequential run is tested above")
    (alpha,) = add_partners(db_engine, [partner("Alpha Networks")])
    leads = [request_lead(db_engine, alpha, at=NOW - timedelta(days=4), email=f"p{n}@example.com")
             for n in range(6)]  # fmt: skip
    barrier = threading.Barrier(2)
    counts: list[int] = []

    def worker() -> None:
        barrier.wait()
        counts.append(run_followups(db_engine, NOW))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 6
    assert sorted(m.lead_id for m in followups(db_engine)) == sorted(leads)
    with Session(db_engine) as session:  # no orphan tokens of a lost race
        tokens = session.exec(select(OneClickToken).where(OneClickToken.purpose == "contacted"))
        assert len(tokens.all()) == 6


def test_an_answer_is_recorded_once_with_a_lead_event(db_engine: Engine):
    (alpha,) = add_partners(db_engine, [partner("Alpha Networks")])
    lead_id = request_lead(db_engine, alpha, at=NOW - timedelta(days=4))
    run_followups(db_engine, NOW)
    raw = links_of(followups(db_engine)[0])["contacted:yes"]["t"]
    result = answer(db_engine, raw, "yes")
    assert result.contacted and result.partner_name == "Alpha Networks"
    with pytest.raises(TokenError, match="used already"):
        answer(db_engine, raw, "no")  # the other link of the same message
    with Session(db_engine) as session:
        feedback = session.get(LeadFeedback, lead_id)
        assert feedback is not None and feedback.contacted is True
        events = session.exec(
            select(AuditEvent).where(AuditEvent.action == "customer_answer")
        ).all()
    assert [(e.entity_type, e.entity_id, e.actor_label) for e in events] == [
        ("lead", str(lead_id), "anonymous visitor")
    ]
    assert events[0].changes == {"customer_contacted": {"before": None, "after": True}}


def test_a_no_is_recorded_as_not_contacted(db_engine: Engine):
    (alpha,) = add_partners(db_engine, [partner("Alpha Networks")])
    lead_id = request_lead(db_engine, alpha, at=NOW - timedelta(days=4))
    run_followups(db_engine, NOW)
    assert not answer(
        db_engine, links_of(followups(db_engine)[0])["contacted:no"]["t"], "no"
    ).contacted
    with Session(db_engine) as session:
        feedback = session.get(LeadFeedback, lead_id)
        assert feedback is not None and feedback.contacted is False


@pytest.mark.parametrize(
    ("raw", "value", "later", "problem"),
    [
        ("unknown-token", "yes", 0, "not valid"),
        ("", "yes", 0, "not valid"),
        ("x" * 500, "yes", 0, "not valid"),
        (None, "maybe", 0, "incomplete"),
        (None, "yes", 31, "expired"),
    ],
    ids=["unknown", "empty", "huge", "bad-answer", "expired"],
)
def test_bad_links_answer_nothing(db_engine: Engine, raw, value, later, problem):  # type: ignore[no-untyped-def]
    (alpha,) = add_partners(db_engine, [partner("Alpha Networks")])
    request_lead(db_engine, alpha, at=NOW - timedelta(days=4))
    run_followups(db_engine, NOW)
    real = links_of(followups(db_engine)[0])["contacted:yes"]["t"]
    with pytest.raises(TokenError, match=problem):
        answer(db_engine, real if raw is None else raw, value, now=NOW + timedelta(days=later))
    with Session(db_engine) as session:
        assert session.exec(select(LeadFeedback)).all() == []
