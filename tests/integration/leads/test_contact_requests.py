"""One send path for the profile's and the team's contact forms (SQLite and PostgreSQL):
the form, the honeypot, the rate limit in the database, merging repeats, then all leads or
none, with their messages in the same transaction."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from core.db import session_scope
from core.leads.contact_limits import forget_old_attempts
from core.leads.contact_requests import send_contact_request
from core.models import AuditEvent, ContactAttempt, Lead, OutboxMessage, PartnerCreate, utc_now
from tests.integration.worlds import add_partners, in_austin

LIMIT = 3
GOOD = {"contact_name": "Dana Lee", "contact_email": "dana@example.com",
        "company_size": "1-10", "needs": ["security"], "message": "Firewall please"}  # fmt: skip
EVIL = "<img src=x onerror=alert(1)>"


def count(engine: Engine, model: type) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def outbox(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


def with_email(name: str) -> PartnerCreate:
    partner = in_austin(name)
    partner.email = f"{name.split()[0].lower()}@partners.example"
    return partner


def send(engine: Engine, partner_ids: list[int], *, team: bool = False, values=GOOD,  # type: ignore[no-untyped-def]
         address: str | None = "203.0.113.7", session_id: str = "s1",
         now: datetime | None = None, honeypot: str = ""):  # fmt: skip
    with session_scope(engine) as session:
        return send_contact_request(
            session=session,
            partner_ids=partner_ids,
            team=team,
            values=values,
            visitor_address=address,
            session_id=session_id,
            now=now or utc_now(),
            limit=LIMIT,
            honeypot=honeypot,
        )


def test_a_profile_request_creates_one_directory_lead_and_counts_one_attempt(db_engine: Engine):
    (partner,) = add_partners(db_engine, [in_austin("Alpha Networks")])
    outcome = send(db_engine, [partner])
    assert outcome.sent and outcome.problem == "" and outcome.field_errors == {}
    assert [(lead.partner_id, lead.source, lead.status) for lead in outcome.leads] == [
        (partner, "directory", "new")
    ]
    assert count(db_engine, Lead) == 1 and count(db_engine, ContactAttempt) == 1


def test_a_team_request_gives_every_member_a_linked_lead_and_counts_once(db_engine: Engine):
    members = add_partners(db_engine, [in_austin("Alpha"), in_austin("Beta"), in_austin("Gamma")])
    outcome = send(db_engine, members, team=True)
    assert sorted(lead.partner_id for lead in outcome.leads) == sorted(members)
    assert {lead.source for lead in outcome.leads} == {"team"}
    assert len({lead.team_key for lead in outcome.leads}) == 1
    assert count(db_engine, Lead) == 3 and count(db_engine, ContactAttempt) == 1


def test_a_bad_form_names_each_field_and_writes_nothing(db_engine: Engine):
    (partner,) = add_partners(db_engine, [in_austin("Alpha Networks")])
    bad = {**GOOD, "contact_email": "not an address", "needs": []}
    outcome = send(db_engine, [partner], values=bad)
    assert not outcome.sent
    assert set(outcome.field_errors) == {"contact_email", "needs"}
    assert count(db_engine, Lead) == 0 and count(db_engine, ContactAttempt) == 0


def test_the_limit_counts_one_address_across_sessions_and_emails(db_engine: Engine):
    partners = add_partners(db_engine, [in_austin(f"Partner {n}") for n in range(5)])
    for n in range(LIMIT):
        values = {**GOOD, "contact_email": f"person{n}@example.com"}
        assert send(db_engine, [partners[n]], values=values, session_id=f"s{n}").sent
    # A new browser session (a reload) and a new email, from the same address: refused.
    refused = send(db_engine, [partners[4]], values={**GOOD, "contact_email": "new@example.com"},
                   session_id="fresh")  # fmt: skip
    assert not refused.sent
    assert "You have sent 3 requests in the last hour" in refused.problem
    assert "try again in" in refused.problem
    assert count(db_engine, Lead) == LIMIT and count(db_engine, ContactAttempt) == LIMIT
    # Another address is a different visitor.
    assert send(db_engine, [partners[4]], values={**GOOD, "contact_email": "new@example.com"},
                address="198.51.100.9").sent  # fmt: skip


def test_the_limit_counts_one_email_across_addresses_in_any_case(db_engine: Engine):
    partners = add_partners(db_engine, [in_austin(f"Partner {n}") for n in range(4)])
    for n in range(LIMIT):
        assert send(db_engine, [partners[n]], address=f"198.51.100.{n}").sent
    shouted = {**GOOD, "contact_email": "DANA@Example.com"}
    refused = send(db_engine, [partners[3]], values=shouted, address="192.0.2.1")
    assert not refused.sent and "requests in the last hour" in refused.problem


def test_without_an_address_the_session_is_the_visitor(db_engine: Engine):
    partners = add_partners(db_engine, [in_austin(f"Partner {n}") for n in range(5)])
    for n in range(LIMIT):
        values = {**GOOD, "contact_email": f"person{n}@example.com"}
        assert send(db_engine, [partners[n]], values=values, address=None, session_id="a").sent
    other = {**GOOD, "contact_email": "other@example.com"}
    assert not send(db_engine, [partners[3]], values=other, address=None, session_id="a").sent
    assert send(db_engine, [partners[3]], values=other, address=None, session_id="b").sent


def test_the_limit_rolls_over_after_an_hour(db_engine: Engine):
    partners = add_partners(db_engine, [in_austin(f"Partner {n}") for n in range(4)])
    start = utc_now() - timedelta(minutes=90)
    for n in range(LIMIT):
        assert send(db_engine, [partners[n]], now=start + timedelta(minutes=n)).sent
    assert send(db_engine, [partners[3]]).sent


def test_a_filled_honeypot_says_sent_and_writes_nothing(db_engine: Engine):
    (partner,) = add_partners(db_engine, [with_email("Alpha Networks")])
    outcome = send(db_engine, [partner], honeypot="http://spam.example")
    assert outcome.sent and outcome.dropped and outcome.leads == []
    for model in (Lead, OutboxMessage, ContactAttempt):
        assert count(db_engine, model) == 0, model
    with Session(db_engine) as session:
        assert session.exec(select(AuditEvent).where(AuditEvent.entity_type == "lead")).all() == []


def test_an_identical_request_within_24_hours_is_merged_into_the_lead(db_engine: Engine):
    (partner,) = add_partners(db_engine, [in_austin("Alpha Networks")])
    first = send(db_engine, [partner], now=utc_now() - timedelta(hours=23))
    again = {**GOOD, "contact_email": "Dana@EXAMPLE.com", "message": "Also two laptops"}
    second = send(db_engine, [partner], values=again)
    assert second.sent and second.merged == [first.leads[0].id]
    assert "we added this to your earlier request" in second.notice
    assert count(db_engine, Lead) == 1
    with Session(db_engine) as session:
        lead = session.get(Lead, first.leads[0].id)
        assert lead is not None and lead.message == "Firewall please\n\nAlso two laptops"
        events = session.exec(
            select(AuditEvent).where(
                AuditEvent.entity_type == "lead", AuditEvent.action == "merge_request"
            )
        ).all()
    assert len(events) == 1 and events[0].entity_id == str(lead.id)
    assert count(db_engine, ContactAttempt) == 2  # a merged request still counts


@pytest.mark.parametrize(
    ("change", "hours_ago"),
    [({}, 25), ({"needs": ["security", "cloud"]}, 1), ({"contact_email": "other@example.com"}, 1)],
    ids=["after-24-hours", "other-needs", "other-email"],
)
def test_a_request_that_is_not_identical_or_older_makes_a_new_lead(
    db_engine: Engine, change: dict, hours_ago: int
):
    (partner,) = add_partners(db_engine, [in_austin("Alpha Networks")])
    send(db_engine, [partner], now=utc_now() - timedelta(hours=hours_ago))
    outcome = send(db_engine, [partner], values={**GOOD, **change})
    assert outcome.sent and outcome.merged == [] and outcome.notice == ""
    assert count(db_engine, Lead) == 2


def test_a_request_writes_one_message_per_partner_and_one_confirmation(db_engine: Engine):
    members = add_partners(db_engine, [with_email("Alpha Co"), with_email("Beta Co")])
    evil = {**GOOD, "contact_name": EVIL, "message": f"Hi {EVIL}"}
    outcome = send(db_engine, members, team=True, values=evil)
    messages = outbox(db_engine)
    to_partners = [m for m in messages if m.kind == "contact_request"]
    confirmations = [m for m in messages if m.kind == "customer_confirmation"]
    assert sorted(m.partner_id for m in to_partners) == sorted(members)
    assert {m.to_email for m in to_partners} == {"alpha@partners.example", "beta@partners.example"}
    assert {m.lead_id for m in to_partners} == {lead.id for lead in outcome.leads}
    assert [m.to_email for m in confirmations] == ["dana@example.com"]
    assert all(m.essential for m in messages) and len(messages) == 3
    alpha = to_partners[0]
    assert "dana@example.com" in alpha.text_body and "Security" in alpha.text_body
    assert "http://localhost:8501/my_leads" in alpha.text_body
    assert EVIL not in alpha.html_body and "&lt;img src=x onerror=alert(1)&gt;" in alpha.html_body
    assert "Alpha Co" in confirmations[0].text_body and "Beta Co" in confirmations[0].text_body
    assert "3 days" in confirmations[0].text_body


def test_a_failed_request_rolls_back_its_leads_and_messages(db_engine: Engine):
    (partner,) = add_partners(db_engine, [with_email("Alpha Co")])
    with pytest.raises(RuntimeError), session_scope(db_engine) as session:
        outcome = send_contact_request(
            session=session, partner_ids=[partner], team=False, values=GOOD,
            visitor_address="203.0.113.7", session_id="s", now=utc_now(), limit=LIMIT,
        )  # fmt: skip
        assert outcome.sent
        raise RuntimeError("something after the request fails")
    for model in (Lead, OutboxMessage, ContactAttempt):
        assert count(db_engine, model) == 0, model


def test_a_team_with_a_partner_that_is_gone_sends_to_nobody(db_engine: Engine):
    members = add_partners(db_engine, [with_email("Alpha Co"), with_email("Beta Co")])
    outcome = send(db_engine, [*members, 999_999], team=True)
    assert not outcome.sent and outcome.problem
    for model in (Lead, OutboxMessage, ContactAttempt):
        assert count(db_engine, model) == 0, model


def test_the_worker_forgets_attempts_older_than_a_day(db_engine: Engine):
    partners = add_partners(db_engine, [in_austin("Alpha"), in_austin("Beta")])
    send(db_engine, [partners[0]], now=utc_now() - timedelta(hours=25))
    send(db_engine, [partners[1]], now=utc_now() - timedelta(hours=23))
    assert forget_old_attempts(db_engine, utc_now()) == 1
    assert count(db_engine, ContactAttempt) == 1 and count(db_engine, Lead) == 2
