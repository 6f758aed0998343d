"""Unsubscribe links (SQLite and PostgreSQL): a reusable token per address, an audited
suppression written once, and later non-essential messages kept back — essential ones not."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from core.db import session_scope
from core.leads.contact_requests import send_contact_request
from core.leads.followup import run_followups
from core.models import AuditEvent, EmailSuppression, OutboxMessage, PartnerCreate, utc_now
from core.notifications.tokens import TokenError, issue_token
from core.notifications.unsubscribe import (
    masked_email,
    unsubscribe,
    unsubscribe_address,
    unsubscribe_url,
)
from tests.integration.worlds import add_partners, in_austin

NOW = utc_now()
GOOD = {"contact_name": "Dana Lee", "contact_email": "dana@example.com",
        "company_size": "1-10", "needs": ["security"], "message": ""}  # fmt: skip


def new_link(engine: Engine, email: str = "Dana@Example.com") -> str:
    with session_scope(engine) as session:
        url = unsubscribe_url(session=session, email=email)
    assert url.startswith("http://localhost:8501/email_link?do=unsubscribe&t=")
    return parse_qs(urlparse(url).query)["t"][0]


def click(engine: Engine, raw: str, *, later: timedelta = timedelta(0)) -> str:
    with session_scope(engine) as session:
        return unsubscribe(session=session, raw=raw, now=NOW + later)


def suppression_events(engine: Engine) -> list[AuditEvent]:
    with Session(engine) as session:
        query = select(AuditEvent).where(AuditEvent.entity_type == "email_suppression")
        return list(session.exec(query).all())


def test_an_unsubscribe_is_written_once_however_often_the_link_is_used(db_engine: Engine):
    raw = new_link(db_engine)
    with Session(db_engine) as session:
        assert unsubscribe_address(session=session, raw=raw, now=NOW) == "dana@example.com"
    assert masked_email("dana@example.com") == "d•••@example.com"
    assert click(db_engine, raw) == "dana@example.com"
    assert click(db_engine, raw, later=timedelta(days=30)) == "dana@example.com"  # reusable
    assert click(db_engine, new_link(db_engine, "DANA@example.com")) == "dana@example.com"
    with Session(db_engine) as session:
        assert [row.email for row in session.exec(select(EmailSuppression))] == ["dana@example.com"]
    (event,) = suppression_events(db_engine)
    assert (event.entity_id, event.action, event.actor_label) == (
        "dana@example.com", "unsubscribe", "anonymous visitor",
    )  # fmt: skip


@pytest.mark.parametrize("problem", ["unknown", "expired", "other-purpose"])
def test_a_bad_unsubscribe_link_changes_nothing(db_engine: Engine, problem: str):
    raw, later = new_link(db_engine), timedelta(0)
    if problem == "unknown":
        raw = "not-a-token"
    elif problem == "expired":
        later = timedelta(days=366)
    else:
        with session_scope(db_engine) as session:
            raw = issue_token(session=session, purpose="contacted", valid_for=timedelta(days=1),
                              email="dana@example.com")  # fmt: skip
    with pytest.raises(TokenError):
        click(db_engine, raw, later=later)
    with Session(db_engine) as session:
        assert session.exec(select(EmailSuppression)).all() == []
    assert suppression_events(db_engine) == []


def test_an_unsubscribed_customer_gets_essential_messages_but_no_followup(db_engine: Engine):
    partners = []
    for name in ("Alpha Co", "Beta Co"):
        created: PartnerCreate = in_austin(name)
        created.email = f"{name.split()[0].lower()}@partners.example"
        partners.append(created)
    alpha, beta = add_partners(db_engine, partners)
    click(db_engine, new_link(db_engine))
    for partner_id, at in ((alpha, NOW - timedelta(days=4)), (beta, NOW)):
        with session_scope(db_engine) as session:
            assert send_contact_request(
                session=session, partner_ids=[partner_id], team=False, values=GOOD,
                visitor_address="203.0.113.7", session_id="s", now=at, limit=5,
            ).sent  # fmt: skip
    assert run_followups(db_engine, NOW) == 1
    with Session(db_engine) as session:
        to_dana = session.exec(
            select(OutboxMessage.kind, OutboxMessage.status)
            .where(OutboxMessage.to_email == "dana@example.com")
            .order_by(OutboxMessage.id)
        ).all()
    assert [tuple(row) for row in to_dana] == [
        ("customer_confirmation", "pending"),
        ("customer_confirmation", "pending"),
        ("customer_followup", "suppressed"),  # written (once), never sent
    ]
