"""Who qualifies for a lead, filter by filter, and why nobody does (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from core.db import session_scope
from core.models import OFFER_EXPIRED, OFFER_OPEN, CampaignRouting, Lead, LeadOffer
from core.routing.candidates import find_candidates
from core.routing.offers import audit_lead
from tests.integration.routing.routing_world import NOW, RoutingWorld, X, build_routing_world


@pytest.fixture
def world(db_engine: Engine) -> RoutingWorld:
    return build_routing_world(db_engine)


def qualifying(world: RoutingWorld, lead_id: int) -> tuple[set[int], str | None]:
    with Session(world.engine) as session:
        lead = session.get(Lead, lead_id)
        rules = session.get(CampaignRouting, world.campaign_id)
        assert lead is not None and rules is not None
        found = find_candidates(session=session, lead=lead, rules=rules, vendor=X, now=NOW)
    return {c.partner_id for c in found.members}, found.reason


def offer(world: RoutingWorld, lead_id: int, partner_id: int, status: str, at=NOW) -> None:  # type: ignore[no-untyped-def]
    with session_scope(world.engine) as session:
        session.add(
            LeadOffer(
                lead_id=lead_id, partner_id=partner_id, campaign_id=world.campaign_id, vendor=X,
                status=status, offered_at=at, expires_at=at + timedelta(hours=48),
            )
        )  # fmt: skip
        audit_lead(session, lead_id, "test", {})


def test_only_active_members_within_the_radius_qualify(world: RoutingWorld) -> None:
    world.rules(radius_km=80)
    members, reason = qualifying(world, world.lead())
    # The stranger is in Austin and competent, but not a Cisco member; New York is too far.
    assert members == {world.near, world.gold, world.weak} and reason is None
    world.rules(radius_km=2500)
    assert world.far in qualifying(world, world.lead())[0]


def test_a_lead_far_from_every_member_names_the_radius_and_zip(world: RoutingWorld) -> None:
    world.rules(radius_km=50)
    assert qualifying(world, world.lead(zip_code="98101")) == (
        set(),
        "no member within 50 km of ZIP 98101",
    )


def test_the_minimum_level_is_met_in_every_need(world: RoutingWorld) -> None:
    world.rules(min_level=2)
    assert qualifying(world, world.lead())[0] == {world.near, world.gold}
    world.rules(min_level=3)
    members, _ = qualifying(world, world.lead())
    assert members == {world.gold}
    members, reason = qualifying(world, world.lead(needs=["networking", "print_services"]))
    assert members == set() and reason is not None
    assert reason.startswith("no member competent in Networking and Print")


def test_evidence_only_counts_approved_certifications_not_claims(world: RoutingWorld) -> None:
    world.rules(min_level=2, evidence_only=True)
    assert qualifying(world, world.lead(needs=["networking"]))[0] == {world.gold}
    # Nobody evidences security in this world, however high the claims.
    members, reason = qualifying(world, world.lead(needs=["networking", "security"]))
    assert members == set() and reason is not None and "(evidenced)" in reason


def test_tiers_restrict_to_the_named_tiers(world: RoutingWorld) -> None:
    world.rules(tiers=["Gold"])
    assert qualifying(world, world.lead())[0] == {world.gold}
    world.rules(tiers=["Premier"])
    assert qualifying(world, world.lead()) == (
        set(),
        "no active member of tier Premier in the Cisco program",
    )


def test_members_offered_this_lead_before_are_not_offered_it_again(world: RoutingWorld) -> None:
    world.rules()
    lead = world.lead()
    for pid in (world.near, world.gold, world.weak):
        offer(world, lead, pid, "declined")
    assert qualifying(world, lead) == (
        set(),
        "every qualifying member has been offered this lead already",
    )


def test_members_at_their_open_offer_cap_are_skipped(world: RoutingWorld) -> None:
    world.rules(max_open_offers=1)
    other = world.lead()
    offer(world, other, world.near, OFFER_OPEN)
    offer(world, other, world.gold, OFFER_OPEN)
    assert qualifying(world, world.lead())[0] == {world.weak}
    offer(world, other, world.weak, OFFER_OPEN)
    members, reason = qualifying(world, world.lead())
    assert members == set() and reason is not None
    assert reason.startswith("all qualifying members are at capacity")


def test_a_member_whose_last_three_offers_expired_cools_off(world: RoutingWorld) -> None:
    world.rules(tiers=["Gold"])
    for hours in (100, 80, 60):  # three expired offers, the last deadline 12 h ago
        offer(world, world.lead(), world.gold, OFFER_EXPIRED, NOW - timedelta(hours=hours))
    members, reason = qualifying(world, world.lead())
    assert members == set()
    assert reason == "all qualifying members are cooling off after letting offers expire"


def test_cooling_ends_after_the_period_and_an_answer_breaks_the_streak(
    world: RoutingWorld,
) -> None:
    world.rules(tiers=["Gold"])
    for hours in (300, 280, 260):  # expired, but the latest deadline 212 h ago (> 72 h)
        offer(world, world.lead(), world.gold, OFFER_EXPIRED, NOW - timedelta(hours=hours))
    assert qualifying(world, world.lead())[0] == {world.gold}
    for hours in (100, 80):
        offer(world, world.lead(), world.gold, OFFER_EXPIRED, NOW - timedelta(hours=hours))
    offer(world, world.lead(), world.gold, "declined", NOW - timedelta(hours=70))
    # Two recent expiries and a decline: no streak of three.
    assert qualifying(world, world.lead())[0] == {world.gold}
