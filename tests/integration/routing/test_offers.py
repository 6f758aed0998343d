"""Offers in core: made by the rules, accepted, declined to the next member, expired by the
worker to the next member, cooling, reminders, and the retry of leads nobody qualified for.
Runs on SQLite and PostgreSQL (``db_engine``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from core.access import PermissionDenied
from core.db import session_scope
from core.models import AuditEvent, Lead, LeadOffer, OutboxMessage, RoutingEvent
from core.routing.due import expire_due_offers, remind_due_offers, route_unrouted_leads
from core.routing.offers import accept_offer, decline_offer, route_lead
from core.routing.rules import RoutingError
from core.worker.jobs import JOBS
from tests.integration.routing.routing_world import (
    CONTACT,
    NOW,
    RoutingWorld,
    build_routing_world,
)


@pytest.fixture
def world(db_engine: Engine) -> RoutingWorld:
    w = build_routing_world(db_engine)
    w.rules(min_level=2)  # near (partner1) and gold (partner2) qualify, round robin
    return w


def route(world: RoutingWorld, lead_id: int, now=NOW) -> LeadOffer | None:  # type: ignore[no-untyped-def]
    with session_scope(world.engine) as session:
        return route_lead(session=session, lead_id=lead_id, now=now)


def offers(world: RoutingWorld, lead_id: int) -> list[LeadOffer]:
    with Session(world.engine) as session:
        rows = session.exec(
            select(LeadOffer).where(LeadOffer.lead_id == lead_id).order_by(col(LeadOffer.id))
        ).all()
        return [LeadOffer.model_validate(r.model_dump()) for r in rows]


def events(world: RoutingWorld, lead_id: int) -> list[tuple[str, int | None]]:
    with Session(world.engine) as session:
        rows = session.exec(
            select(RoutingEvent)
            .where(RoutingEvent.lead_id == lead_id)
            .order_by(col(RoutingEvent.at), col(RoutingEvent.id))
        ).all()
        return [(r.kind, r.partner_id) for r in rows]


def lead_row(world: RoutingWorld, lead_id: int) -> Lead:
    with Session(world.engine) as session:
        row = session.get(Lead, lead_id)
        assert row is not None
        return Lead.model_validate(row.model_dump())


def test_round_robin_offers_the_member_offered_longest_ago(world: RoutingWorld) -> None:
    first = route(world, world.lead())
    second = route(world, world.lead(), NOW + timedelta(minutes=1))
    third = route(world, world.lead(), NOW + timedelta(minutes=2))
    assert first is not None and second is not None and third is not None
    # Never offered first (by id), then the other, then back to the one offered longest ago.
    assert [first.partner_id, second.partner_id, third.partner_id] == [
        world.near,
        world.gold,
        world.near,
    ]
    assert first.expires_at == NOW + timedelta(hours=48)


def test_an_offer_emails_the_partner_without_the_customers_contact_details(
    world: RoutingWorld,
) -> None:
    lead_id = world.lead()
    offer = route(world, lead_id)
    assert offer is not None
    with Session(world.engine) as session:
        (message,) = session.exec(select(OutboxMessage)).all()
    assert message.kind == "lead_offer" and message.to_email == "near@partners.example"
    assert "/my_leads?offer=" in message.text_body and "http" in message.text_body
    for secret in CONTACT.values():
        assert secret not in message.text_body and secret not in message.html_body
    assert "Networking" in message.text_body and "Austin" in message.text_body


def test_accepting_gives_the_lead_to_the_partner_as_a_vendor_assignment(
    world: RoutingWorld,
) -> None:
    lead_id = world.lead()
    offer = route(world, lead_id)
    assert offer is not None
    with session_scope(world.engine) as session:
        lead = accept_offer(session=session, actor=world.partner_a, offer_id=offer.id or 0, now=NOW)
    assert lead.partner_id == world.near and lead.vendor_member is True
    assert [o.status for o in offers(world, lead_id)] == ["accepted"]
    assert events(world, lead_id)[-1] == ("accepted", world.near)
    with Session(world.engine) as session:
        audit = session.exec(select(AuditEvent).where(AuditEvent.action == "accept_offer")).one()
    assert audit.changes["partner_id"] == {"before": None, "after": world.near}
    # A second click, and an acceptance after the deadline, are refused.
    with pytest.raises(RoutingError, match="no longer open"), session_scope(world.engine) as s:
        accept_offer(session=s, actor=world.partner_a, offer_id=offer.id or 0, now=NOW)


def test_only_the_offered_partner_or_an_admin_may_answer(world: RoutingWorld) -> None:
    offer = route(world, world.lead())
    assert offer is not None
    for actor in (world.partner_b, world.vendor, world.vendor_y):
        with pytest.raises(PermissionDenied), session_scope(world.engine) as session:
            accept_offer(session=session, actor=actor, offer_id=offer.id or 0, now=NOW)
    late = offer.expires_at + timedelta(seconds=1)
    with pytest.raises(RoutingError), session_scope(world.engine) as session:
        accept_offer(session=session, actor=world.partner_a, offer_id=offer.id or 0, now=late)
    with session_scope(world.engine) as session:
        accept_offer(session=session, actor=world.admin, offer_id=offer.id or 0, now=NOW)


def test_declining_offers_the_lead_to_the_next_member_in_the_same_step(
    world: RoutingWorld,
) -> None:
    lead_id = world.lead()
    offer = route(world, lead_id)
    assert offer is not None
    with session_scope(world.engine) as session:
        following = decline_offer(
            session=session, actor=world.partner_a, offer_id=offer.id or 0, now=NOW,
            reason="Too far <b>away</b>",
        )  # fmt: skip
    assert following is not None and following.partner_id == world.gold
    assert [(o.partner_id, o.status) for o in offers(world, lead_id)] == [
        (world.near, "declined"),
        (world.gold, "open"),
    ]
    assert offers(world, lead_id)[0].decline_reason == "Too far <b>away</b>"
    assert events(world, lead_id) == [
        ("offered", world.near),
        ("declined", world.near),
        ("offered", world.gold),
    ]
    assert lead_row(world, lead_id).partner_id is None  # not the partner's until accepted


def test_an_offer_nobody_accepts_moves_to_the_next_member_after_the_deadline(
    world: RoutingWorld,
) -> None:
    lead_id = world.lead()
    first = route(world, lead_id)
    assert first is not None and first.partner_id == world.near
    assert expire_due_offers(world.engine, first.expires_at - timedelta(seconds=1)) == 0
    later = first.expires_at + timedelta(minutes=1)
    assert expire_due_offers(world.engine, later) == 1
    assert [(o.partner_id, o.status) for o in offers(world, lead_id)] == [
        (world.near, "expired"),
        (world.gold, "open"),
    ]
    assert offers(world, lead_id)[1].expires_at == later + timedelta(hours=48)
    assert events(world, lead_id)[1:] == [("expired", world.near), ("offered", world.gold)]
    # Nothing is due any more: running the job again moves nothing.
    assert expire_due_offers(world.engine, later) == 0


def test_three_expiries_in_a_row_start_a_cooling_period(world: RoutingWorld) -> None:
    world.rules(tiers=["Gold"], min_level=2)  # only gold qualifies
    now = NOW
    for n in range(3):
        lead_id = world.lead()
        offer = route(world, lead_id, now)
        assert offer is not None and offer.partner_id == world.gold
        now = offer.expires_at + timedelta(minutes=1)
        expire_due_offers(world.engine, now)
        kinds = [k for k, _ in events(world, lead_id)]
        if n < 2:
            assert "cooling" not in kinds
    assert kinds == ["offered", "expired", "cooling", "no_candidate"]
    fresh = world.lead()
    assert route(world, fresh, now) is None
    with Session(world.engine) as session:
        reason = session.exec(
            select(RoutingEvent.detail).where(RoutingEvent.lead_id == fresh)
        ).one()
    assert reason == "all qualifying members are cooling off after letting offers expire"


def test_a_lead_nobody_qualifies_for_is_retried_hourly_not_every_pass(
    world: RoutingWorld,
) -> None:
    lead_id = world.lead(zip_code="98101")  # Seattle: nobody within 80 km
    assert route_unrouted_leads(world.engine, NOW) == 0
    assert events(world, lead_id) == [("no_candidate", None)]
    route_unrouted_leads(world.engine, NOW + timedelta(minutes=5))
    with Session(world.engine) as session:
        first = session.exec(select(RoutingEvent).where(RoutingEvent.lead_id == lead_id)).one()
    assert first.at == NOW  # not tried again within the hour
    route_unrouted_leads(world.engine, NOW + timedelta(minutes=61))
    with Session(world.engine) as session:
        again = session.exec(select(RoutingEvent).where(RoutingEvent.lead_id == lead_id)).one()
    assert again.at == NOW + timedelta(minutes=61)  # tried again; the same reason, one step
    assert again.detail == "no member within 80 km of ZIP 98101"
    # New rules are tried at once.
    world.rules(radius_km=5000, min_level=2, now=NOW + timedelta(minutes=62))
    assert route_unrouted_leads(world.engine, NOW + timedelta(minutes=62)) == 1


def test_the_routing_job_offers_waiting_leads_once(world: RoutingWorld) -> None:
    ids = [world.lead() for _ in range(3)]
    assert route_unrouted_leads(world.engine, NOW) == 3
    assert route_unrouted_leads(world.engine, NOW) == 0
    assert all(len(offers(world, i)) == 1 for i in ids)
    assert [j.name for j in JOBS][:3] == ["expire_offers", "remind_offers", "route_leads"]


def test_a_reminder_goes_out_once_when_a_quarter_of_the_window_is_left(
    world: RoutingWorld,
) -> None:
    offer = route(world, world.lead())
    assert offer is not None
    assert remind_due_offers(world.engine, offer.expires_at - timedelta(hours=13)) == 0
    at = offer.expires_at - timedelta(hours=11)
    assert remind_due_offers(world.engine, at) == 1
    assert remind_due_offers(world.engine, at + timedelta(hours=1)) == 0
    with Session(world.engine) as session:
        kinds = session.exec(select(OutboxMessage.kind, OutboxMessage.dedup_key)).all()
    assert sorted(kinds, key=str) == sorted(
        [("lead_offer", f"lead-offer:{offer.id}:near@partners.example"),
         ("offer_reminder", f"offer-reminder:{offer.id}")], key=str,
    )  # fmt: skip


def test_one_offer_that_fails_to_expire_does_not_hold_back_the_others(
    world: RoutingWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    import core.routing.due as due

    broken, fine = world.lead(), world.lead()
    first, second = route(world, broken), route(world, fine)
    assert first is not None and second is not None

    def route_or_fail(*, session, lead_id, now):  # type: ignore[no-untyped-def]
        if lead_id == broken:
            raise RuntimeError("boom")
        return route_lead(session=session, lead_id=lead_id, now=now)

    monkeypatch.setattr(due, "route_lead", route_or_fail)
    later = max(first.expires_at, second.expires_at) + timedelta(minutes=1)
    assert expire_due_offers(world.engine, later) == 1
    assert offers(world, broken)[0].status == "open"  # rolled back: due again next pass
    assert [o.status for o in offers(world, fine)] == ["expired", "open"]
