"""Two workers expire the same due offers at once on PostgreSQL: each offer moves once.

Thirty offers to one member are past their deadline. Two threads run ``expire_due_offers``
together (a barrier starts them at the same moment); each claims offers with FOR UPDATE
SKIP LOCKED, so every offer is expired by exactly one of them, gets exactly one "expired"
step, and its lead exactly one next offer. PostgreSQL only: SQLite has one writer at a time.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from core.db import session_scope
from core.models import OFFER_OPEN, LeadOffer, RoutingEvent
from core.routing.due import expire_due_offers
from core.routing.offers import audit_lead
from tests.integration.routing.routing_world import NOW, RoutingWorld, X, build_routing_world

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize(
        "db_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
    ),
]
OFFERS = 30


@pytest.fixture
def world(db_engine: Engine) -> RoutingWorld:
    world = build_routing_world(db_engine)
    world.rules(min_level=2, max_open_offers=100)  # near and gold qualify
    return world


def test_two_workers_expire_each_due_offer_once_and_each_lead_gets_one_next_offer(
    world: RoutingWorld,
) -> None:
    leads = [world.lead() for _ in range(OFFERS)]
    with session_scope(world.engine) as session:
        for n, lead_id in enumerate(leads):
            offered = NOW - timedelta(hours=50, minutes=n)
            session.add(
                LeadOffer(
                    lead_id=lead_id, partner_id=world.near, campaign_id=world.campaign_id,
                    vendor=X, status=OFFER_OPEN, offered_at=offered,
                    expires_at=offered + timedelta(hours=48),
                )
            )  # fmt: skip
            audit_lead(session, lead_id, "test", {})
    barrier = threading.Barrier(2, timeout=30)
    moved: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            moved.append(expire_due_offers(world.engine, NOW))
        except BaseException as exc:  # reported by the test below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors and not any(t.is_alive() for t in threads)
    assert sum(moved) == OFFERS
    with Session(world.engine) as session:
        expired = Counter(
            session.exec(select(RoutingEvent.lead_id).where(RoutingEvent.kind == "expired")).all()
        )
        offers = session.exec(
            select(LeadOffer.lead_id, LeadOffer.partner_id, LeadOffer.status)
        ).all()
    assert expired == dict.fromkeys(leads, 1)
    per_lead = Counter((lead, status) for lead, _, status in offers)
    assert all(per_lead[(lead, "expired")] == 1 and per_lead[(lead, "open")] == 1 for lead in leads)
    assert {pid for _, pid, status in offers if status == OFFER_OPEN} == {world.gold}
