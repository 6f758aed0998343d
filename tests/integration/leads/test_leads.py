"""Leads in core: contact requests, the status life cycle, history and ownership.

Runs on SQLite and on PostgreSQL (the `db_engine` fixture is parametrised over both).
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from core.access import PermissionDenied
from core.db import session_scope
from core.leads.lifecycle import (
    LeadError,
    change_lead_status,
    count_partner_leads,
    lead_history,
    list_partner_leads,
    submit_contact_request,
    submit_team_contact_request,
)
from core.models import (
    AccountPublic,
    AuditEvent,
    ContactRequest,
    Lead,
    LeadStatusChange,
)
from tests.integration.worlds import World, build_world, in_austin

REQUEST = ContactRequest(
    contact_name="Dana <b>Customer</b>",
    contact_email="dana@example.com",
    company_size="11-50",
    needs=["networking", "security"],
    message="We need Wi-Fi in 3 offices.\n'quotes' \"double\" \\ back",
)


@pytest.fixture
def world(db_engine: Engine) -> World:
    names = ("Alpha Networks", "Beta Secure", "Gamma Print")
    return build_world(db_engine, [in_austin(name) for name in names])


def new_lead(world: World, partner_id: int | None = None) -> int:
    with session_scope(world.engine) as session:
        lead = submit_contact_request(
            session=session, partner_id=partner_id or world.a, request=REQUEST
        )
    return int(lead.id)  # readable after the session closed


def move(world: World, lead_id: int, to: str, actor: AccountPublic | None = None, **kw) -> Lead:  # type: ignore[no-untyped-def]
    with session_scope(world.engine) as session:
        return change_lead_status(
            session=session, actor=actor or world.partner_a, lead_id=lead_id, to_status=to, **kw
        )


def test_contact_request_becomes_a_new_lead_audited_as_anonymous(world: World) -> None:
    lead_id = new_lead(world)
    with Session(world.engine) as session:
        lead = session.get(Lead, lead_id)
        event = session.exec(select(AuditEvent).where(AuditEvent.entity_type == "lead")).one()
    assert lead is not None and lead.status == "new" and lead.source == "directory"
    assert lead.contact_name == REQUEST.contact_name and lead.message == REQUEST.message
    assert event.actor_label == "anonymous visitor" and event.actor_account_id is None
    assert event.action == "create"


def test_team_request_gives_each_partner_a_lead_sharing_one_team_key(world: World) -> None:
    with session_scope(world.engine) as session:
        leads = submit_team_contact_request(
            session=session, partner_ids=[world.a, world.b, world.a], request=REQUEST
        )
    assert [lead.partner_id for lead in leads] == [world.a, world.b]
    assert {lead.source for lead in leads} == {"team"}
    assert len({lead.team_key for lead in leads}) == 1 and leads[0].team_key


def test_request_to_a_missing_partner_is_refused(world: World) -> None:
    with session_scope(world.engine) as session, pytest.raises(LeadError):
        submit_contact_request(session=session, partner_id=99999, request=REQUEST)


def test_full_life_cycle_with_history_and_first_response(world: World) -> None:
    lead_id = new_lead(world)
    engaged = move(world, lead_id, "engaged", note="Called them")
    assert engaged.first_response_at is not None
    first_response = engaged.first_response_at
    move(world, lead_id, "nurture")
    won = move(world, lead_id, "won", value_usd=12500)
    assert won.status == "won" and won.value_usd == 12500
    assert won.first_response_at == first_response
    with Session(world.engine) as session:
        history = lead_history(session=session, actor=world.partner_a, lead_id=lead_id)
        rows = session.exec(select(LeadStatusChange).where(LeadStatusChange.lead_id == lead_id))
        assert len(rows.all()) == 3
        audits = session.exec(
            select(AuditEvent).where(
                AuditEvent.entity_type == "lead", AuditEvent.action == "status_change"
            )
        ).all()
    assert [(h.from_status, h.to_status) for h in history] == [
        (None, "new"),
        ("new", "engaged"),
        ("engaged", "nurture"),
        ("nurture", "won"),
    ]
    assert history[1].actor_label == "partner1" and history[1].note == "Called them"
    assert len(audits) == 3 and all(a.actor_label == "partner1" for a in audits)
    with pytest.raises(LeadError):
        move(world, lead_id, "lost", lost_reason="too late")  # won is final


@pytest.mark.parametrize(
    ("path", "to"),
    [([], "won"), ([], "nurture"), (["engaged", "qualified_out"], "won"), ([], "new")],
)
def test_transitions_outside_the_life_cycle_are_refused(
    world: World, path: list[str], to: str
) -> None:
    lead_id = new_lead(world)
    for step in path:
        move(world, lead_id, step)
    with pytest.raises(LeadError):
        move(world, lead_id, to, value_usd=10)


def test_won_needs_a_value_and_lost_needs_a_reason(world: World) -> None:
    lead_id = new_lead(world)
    move(world, lead_id, "engaged")
    for bad in (None, 0, -5):
        with pytest.raises(LeadError, match="value"):
            move(world, lead_id, "won", value_usd=bad)
    for bad in (None, "", "   "):
        with pytest.raises(LeadError, match="reason"):
            move(world, lead_id, "lost", lost_reason=bad)
    lost = move(world, lead_id, "lost", lost_reason="Chose a bigger firm")
    assert lost.lost_reason == "Chose a bigger firm" and lost.value_usd is None
    back = move(world, lead_id, "nurture")
    assert back.lost_reason is None


def test_a_refused_change_writes_nothing(world: World) -> None:
    lead_id = new_lead(world)
    with pytest.raises(LeadError):
        move(world, lead_id, "won")
    with Session(world.engine) as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None and lead.status == "new" and lead.first_response_at is None
        assert session.exec(select(LeadStatusChange)).all() == []


def test_partner_sees_and_changes_only_its_own_leads(world: World) -> None:
    mine, theirs = new_lead(world, world.a), new_lead(world, world.b)
    for actor in (world.partner_b, world.vendor, None):
        with session_scope(world.engine) as session, pytest.raises(PermissionDenied):
            change_lead_status(session=session, actor=actor, lead_id=mine, to_status="engaged")  # type: ignore[arg-type]
        with Session(world.engine) as session, pytest.raises(PermissionDenied):
            lead_history(session=session, actor=actor, lead_id=mine)  # type: ignore[arg-type]
        with Session(world.engine) as session, pytest.raises(PermissionDenied):
            list_partner_leads(session=session, actor=actor, partner_id=world.a)  # type: ignore[arg-type]
    with Session(world.engine) as session:
        listed = list_partner_leads(session=session, actor=world.partner_a, partner_id=world.a)
    assert [lead.id for lead in listed] == [mine]
    assert theirs not in [lead.id for lead in listed]
    with Session(world.engine) as session:
        assert session.get(Lead, mine).status == "new"  # type: ignore[union-attr]
    assert move(world, mine, "engaged", actor=world.admin).status == "engaged"


def test_listing_filters_by_status_and_pages(world: World) -> None:
    ids = [new_lead(world) for _ in range(5)]
    move(world, ids[0], "engaged")
    with Session(world.engine) as session:
        engaged = list_partner_leads(
            session=session, actor=world.partner_a, partner_id=world.a, status="engaged"
        )
        first = list_partner_leads(
            session=session, actor=world.partner_a, partner_id=world.a, limit=2
        )
        rest = list_partner_leads(
            session=session, actor=world.partner_a, partner_id=world.a, limit=10, offset=2
        )
        counts = count_partner_leads(session=session, actor=world.partner_a, partner_id=world.a)
    assert [lead.id for lead in engaged] == [ids[0]]
    assert len(first) == 2 and len(rest) == 3
    assert {lead.id for lead in first + rest} == set(ids)
    assert counts == {"new": 4, "engaged": 1}


def test_a_status_change_applies_only_to_the_status_the_user_saw(world: World) -> None:
    lead_id = new_lead(world)
    seen = "new"  # what the partner's page showed
    move(world, lead_id, "engaged")  # meanwhile, another tab (or a colleague) moves it on
    with pytest.raises(LeadError, match="changed meanwhile"):
        move(world, lead_id, "lost", lost_reason="no budget", expected_status=seen)
    assert move(world, lead_id, "won", value_usd=100, expected_status="engaged").status == "won"
