"""One send path for the profile's and the team's contact forms (SQLite and PostgreSQL):
rate limit first, then the form, then all leads or none."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, func
from sqlmodel import Session, select

from core.db import session_scope
from core.leads.contact_requests import send_contact_request
from core.models import Lead, utc_now
from tests.integration.worlds import add_partners, in_austin

LIMIT = 3
GOOD = {"contact_name": "Dana Lee", "contact_email": "dana@example.com",
        "company_size": "1-10", "needs": ["security"], "message": "Firewall please"}  # fmt: skip


def lead_count(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(Lead)).one())


def send(engine: Engine, partner_ids: list[int], *, team: bool, values=GOOD, sent_at=None):  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return send_contact_request(
            session=session,
            partner_ids=partner_ids,
            team=team,
            values=values,
            sent_at=sent_at if sent_at is not None else [],
            now=utc_now(),
            limit=LIMIT,
        )


def test_a_profile_request_creates_one_directory_lead_and_counts_against_the_limit(
    db_engine: Engine,
):
    (partner,) = add_partners(db_engine, [in_austin("Alpha Networks")])
    sent_at: list = []
    outcome = send(db_engine, [partner], team=False, sent_at=sent_at)
    assert outcome.sent and outcome.problem == "" and outcome.field_errors == {}
    assert [(lead.partner_id, lead.source, lead.status) for lead in outcome.leads] == [
        (partner, "directory", "new")
    ]
    assert len(sent_at) == 1 and lead_count(db_engine) == 1


def test_a_team_request_gives_every_member_a_linked_lead(db_engine: Engine):
    members = add_partners(db_engine, [in_austin("Alpha"), in_austin("Beta"), in_austin("Gamma")])
    outcome = send(db_engine, members, team=True)
    assert sorted(lead.partner_id for lead in outcome.leads) == sorted(members)
    assert {lead.source for lead in outcome.leads} == {"team"}
    assert len({lead.team_key for lead in outcome.leads}) == 1
    assert lead_count(db_engine) == 3


def test_a_bad_form_names_each_field_and_writes_nothing(db_engine: Engine):
    (partner,) = add_partners(db_engine, [in_austin("Alpha Networks")])
    sent_at: list = []
    bad = {**GOOD, "contact_email": "not an address", "needs": []}
    outcome = send(db_engine, [partner], team=False, values=bad, sent_at=sent_at)
    assert not outcome.sent
    assert set(outcome.field_errors) == {"contact_email", "needs"}
    assert sent_at == [] and lead_count(db_engine) == 0


def test_the_rate_limit_refuses_before_anything_is_written(db_engine: Engine):
    (partner,) = add_partners(db_engine, [in_austin("Alpha Networks")])
    recent = [utc_now() - timedelta(minutes=m) for m in (5, 10, 15)]
    outcome = send(db_engine, [partner], team=False, sent_at=list(recent))
    assert not outcome.sent
    assert "You have sent 3 requests in the last hour" in outcome.problem
    assert lead_count(db_engine) == 0


def test_a_team_with_a_partner_that_is_gone_sends_to_nobody(db_engine: Engine):
    members = add_partners(db_engine, [in_austin("Alpha"), in_austin("Beta")])
    outcome = send(db_engine, [*members, 999_999], team=True)
    assert not outcome.sent and outcome.problem
    assert lead_count(db_engine) == 0
