"""What each side reads of routing, and the rules' compare-and-swap (SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from core.access import PermissionDenied
from core.db import session_scope
from core.models import AuditEvent, Lead, LeadOffer, RoutingEvent
from core.programs.rules import StaleVersion
from core.routing.history import campaign_routing_history, lead_routing_history, offer_counts
from core.routing.inbox import inbox_glance, list_open_offers
from core.routing.offers import audit_lead, route_lead
from core.routing.rules import RoutingError, get_routing, routing_switches, save_routing
from tests.integration.routing.routing_world import (
    CONTACT,
    NOW,
    RoutingWorld,
    X,
    build_routing_world,
)


@pytest.fixture
def world(db_engine: Engine) -> RoutingWorld:
    return build_routing_world(db_engine)


def routed(world: RoutingWorld, **kw) -> int:  # type: ignore[no-untyped-def]
    lead_id = world.lead(**kw)
    with session_scope(world.engine) as session:
        route_lead(session=session, lead_id=lead_id, now=NOW)
    return lead_id


def test_the_partner_sees_its_offer_without_the_customers_contact_details(
    world: RoutingWorld,
) -> None:
    world.rules(min_level=2)
    routed(world)
    with Session(world.engine) as session:
        (offer,) = list_open_offers(
            session=session, actor=world.partner_a, partner_id=world.near, now=NOW
        )
        assert (
            list_open_offers(session=session, actor=world.partner_b, partner_id=world.gold, now=NOW)
            == []
        )
    shown = repr(asdict(offer))
    assert offer.where.startswith("Austin, TX") and offer.needs == ["networking", "security"]
    assert offer.company_size == "11-50" and offer.campaign == "Spring Networking"
    for secret in CONTACT.values():
        assert secret not in shown


def test_nobody_reads_another_partners_offers(world: RoutingWorld) -> None:
    with Session(world.engine) as session:
        for actor in (world.partner_b, world.vendor, None):
            with pytest.raises(PermissionDenied):
                list_open_offers(session=session, actor=actor, partner_id=world.near, now=NOW)
            with pytest.raises(PermissionDenied):
                inbox_glance(session=session, actor=actor, partner_id=world.near, now=NOW)


def test_the_inbox_counts_new_offered_expiring_and_overdue(world: RoutingWorld) -> None:
    world.rules(min_level=2, accept_hours=10, max_open_offers=5)
    routed(world)  # offered to near, 10 h left: expiring
    with session_scope(world.engine) as session:
        session.add(
            Lead(
                partner_id=world.near, source="directory", contact_name="Old One",
                contact_email="old@example.com", company_size="1-10", needs=["networking"],
                created_at=NOW - timedelta(days=3), updated_at=NOW - timedelta(days=3),
            )
        )  # fmt: skip
        session.add(
            Lead(
                partner_id=world.near, source="directory", contact_name="Fresh One",
                contact_email="new@example.com", company_size="1-10", needs=["networking"],
                created_at=NOW - timedelta(hours=2), updated_at=NOW - timedelta(hours=2),
            )
        )  # fmt: skip
        session.flush()
        audit_lead(session, 0, "test", {})
    with Session(world.engine) as session:
        glance = inbox_glance(
            session=session, actor=world.partner_a, partner_id=world.near, now=NOW
        )
    # NOW is a Monday 09:00: the lead of Friday 09:00 has waited one business day only.
    assert (glance.new, glance.offered, glance.expiring, glance.overdue) == (2, 1, 1, 0)
    with Session(world.engine) as session:
        later = inbox_glance(
            session=session, actor=world.partner_a, partner_id=world.near,
            now=NOW + timedelta(days=1, hours=1),
        )  # fmt: skip
    assert later.overdue == 1 and later.offered == 0  # the offer's deadline passed


def test_the_vendor_reads_the_history_with_names_and_reasons(world: RoutingWorld) -> None:
    world.rules(min_level=2)
    lead_id = routed(world)
    lost = routed(world, zip_code="98101")
    with Session(world.engine) as session:
        steps = lead_routing_history(session=session, actor=world.vendor, lead_id=lead_id)
        campaign = campaign_routing_history(
            session=session, actor=world.vendor, campaign_id=world.campaign_id
        )
        counts = offer_counts(session=session, actor=world.vendor, vendor=X)
    assert [(s.kind, s.partner_name) for s in steps] == [("offered", "Near Networks")]
    assert ("no_candidate", lost, "no member within 80 km of ZIP 98101") in [
        (s.kind, s.lead_id, s.detail) for s in campaign
    ]
    assert counts[world.campaign_id]["open"] == 1 and counts[world.campaign_id]["expired"] == 0


def test_another_vendor_reads_and_changes_nothing_of_the_campaign(world: RoutingWorld) -> None:
    world.rules()
    lead_id = routed(world)
    with Session(world.engine) as session:
        for actor in (world.vendor_y, world.partner_a, None):
            with pytest.raises(PermissionDenied):
                lead_routing_history(session=session, actor=actor, lead_id=lead_id)
            with pytest.raises(PermissionDenied):
                campaign_routing_history(
                    session=session, actor=actor, campaign_id=world.campaign_id
                )
            with pytest.raises(PermissionDenied):
                get_routing(session=session, actor=actor, campaign_id=world.campaign_id)
            with pytest.raises(PermissionDenied):
                offer_counts(session=session, actor=actor, vendor=X)
            with pytest.raises(PermissionDenied):
                routing_switches(session=session, actor=actor, vendor=X)
        assert routing_switches(session=session, actor=world.vendor, vendor=X) == {
            world.campaign_id: True
        }
    with pytest.raises(PermissionDenied), session_scope(world.engine) as session:
        save_routing(
            session=session, actor=world.vendor_y, campaign_id=world.campaign_id,
            data={"radius_km": 10}, seen_version=1,
        )  # fmt: skip


def test_rules_are_saved_by_compare_and_swap_and_audited(world: RoutingWorld) -> None:
    first = world.rules(radius_km=50)
    assert first.version == 1
    with session_scope(world.engine) as session:
        second = save_routing(
            session=session, actor=world.admin, campaign_id=world.campaign_id,
            data={"radius_km": 120, "tiers": ["Gold", "Select", "Gold"]}, seen_version=1,
        )  # fmt: skip
    assert second.version == 2 and second.tiers == ["Select", "Gold"]  # the vendor's order
    for seen in (1, None):  # a stale form, and a second "first" save
        with pytest.raises(StaleVersion), session_scope(world.engine) as session:
            save_routing(
                session=session, actor=world.vendor, campaign_id=world.campaign_id,
                data={"radius_km": 10}, seen_version=seen,
            )  # fmt: skip
    with Session(world.engine) as session:
        kept = get_routing(session=session, actor=world.vendor, campaign_id=world.campaign_id)
        actions = session.exec(
            select(AuditEvent.action).where(AuditEvent.entity_type == "campaign")
        ).all()
    assert kept is not None and kept.radius_km == 120
    assert actions.count("routing_create") == 1 and actions.count("routing_change") == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"radius_km": 0}, r"Radius \(km\): input should be greater than 0"),
        ({"tiers": ["Diamond"]}, "Cisco has no tier 'Diamond'"),
        ({"fairness": "random"}, "Fairness must be one of round_robin"),
        ({"accept_hours": 0}, "Hours to accept: input should be greater"),
    ],
)
def test_bad_rules_are_refused_with_a_sentence(
    world: RoutingWorld, data: dict[str, object], message: str
) -> None:
    with pytest.raises(RoutingError, match=message), session_scope(world.engine) as session:
        save_routing(
            session=session, actor=world.vendor, campaign_id=world.campaign_id, data=data,
            seen_version=None,
        )  # fmt: skip


def test_an_offer_of_a_lead_the_vendor_assigned_by_hand_is_no_longer_shown(
    world: RoutingWorld,
) -> None:
    from core.leads.campaign_leads import assign_lead

    world.rules(min_level=2)
    lead_id = routed(world)  # offered to near
    with session_scope(world.engine) as session:
        assign_lead(session=session, actor=world.vendor, lead_id=lead_id, partner_id=world.gold)
    with Session(world.engine) as session:
        shown = list_open_offers(
            session=session, actor=world.partner_a, partner_id=world.near, now=NOW
        )
        glance = inbox_glance(
            session=session, actor=world.partner_a, partner_id=world.near, now=NOW
        )
    assert shown == [] and glance.offered == 0
    with Session(world.engine) as session:
        offers = session.exec(select(LeadOffer.status).where(LeadOffer.lead_id == lead_id)).all()
        steps = session.exec(
            select(RoutingEvent.kind, RoutingEvent.partner_id)
            .where(RoutingEvent.lead_id == lead_id)
            .order_by(col(RoutingEvent.id))
        ).all()
    # The offer is withdrawn (it no longer holds a place under the member's cap), and the
    # vendor's history says so.
    assert list(offers) == ["withdrawn"]
    assert steps[-1] == ("withdrawn", world.near)
