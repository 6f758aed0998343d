"""Two vendor users approve at the same moment on PostgreSQL: the budget is never overspent.

Each approval runs in a thread with its own unit of work. A barrier lets both read the fund
and the campaign (10,000 left) before either writes, so a check made in Python on what was
read would let both through; only the guarded UPDATE of core.programs.budget refuses the
second. PostgreSQL only: SQLite runs one writer at a time and refuses the second writer of
a stale snapshot outright ("database is locked"), which proves nothing about the guard.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine

from core.db import session_scope
from core.models import Campaign, FundRequest, FundRequestPublic
from core.programs.funds import approve_funds
from core.programs.rules import ProgramError, StaleVersion
from tests.integration.programs.fund_world import BUDGET, committed, events, new_campaign, requested
from tests.integration.programs.program_world import ProgramWorld, build_program_world

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize(
        "db_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
    ),
]


@pytest.fixture
def world(db_engine: Engine) -> ProgramWorld:
    return build_program_world(db_engine)


def _approve_at_once(
    world: ProgramWorld, campaign_id: int, funds: list[FundRequestPublic]
) -> list[Any]:
    """Approve each fund in a thread of its own, all reading before any writes; returns
    each thread's result or the exception it raised, in the order of ``funds``."""
    barrier = threading.Barrier(len(funds), timeout=30)
    outcomes: list[Any] = [None] * len(funds)

    def approve(index: int, fund: FundRequestPublic) -> Callable[[], None]:
        def run() -> None:
            try:
                with session_scope(world.engine) as session:
                    seen = session.get(FundRequest, fund.id)
                    campaign = session.get(Campaign, campaign_id)
                    assert seen is not None and campaign is not None
                    assert campaign.committed_usd == 0.0  # both see the whole budget free
                    barrier.wait()
                    outcomes[index] = approve_funds(
                        session=session, actor=world.vendor, fund_id=fund.id,
                        seen_version=seen.version,
                    )  # fmt: skip
                    # Keep the winner's row lock a moment, so the other UPDATE waits on it and
                    # re-checks its WHERE clause against the committed row.
                    time.sleep(0.3)
            except Exception as exc:  # the refused thread's outcome, checked by the test
                outcomes[index] = exc

        return run

    threads = [threading.Thread(target=approve(i, f)) for i, f in enumerate(funds)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def test_two_concurrent_approvals_over_budget_one_succeeds_the_other_is_refused(
    world: ProgramWorld,
) -> None:
    campaign = new_campaign(world.engine, world.vendor)  # 10,000
    funds = [
        requested(world.engine, world.partner_a, campaign.id, world.a, 6_000),
        requested(world.engine, world.partner_b, campaign.id, world.b, 5_000),
    ]
    outcomes = _approve_at_once(world, campaign.id, funds)
    winners = [o for o in outcomes if isinstance(o, FundRequestPublic)]
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(winners) == 1 and len(refused) == 1, outcomes
    [winner], [error] = winners, refused
    loser = next(f for f in funds if f.id != winner.id)
    assert type(error) is ProgramError
    assert str(error) == (
        f"Approving ${loser.amount_usd:,.0f} would exceed the campaign budget: "
        f"${BUDGET - winner.amount_usd:,.0f} of $10,000 left."
    )
    assert winner.status == "approved"
    assert committed(world.engine, campaign.id) == winner.approved_usd <= BUDGET
    approvals = [e for e in events(world.engine, "fund_request") if e.action == "approve"]
    assert [e.entity_id for e in approvals] == [str(winner.id)]
    with session_scope(world.engine) as session:  # the refused fund is as it was
        row = session.get(FundRequest, loser.id)
        assert row is not None and (row.status, row.version) == ("requested", 1)


def test_the_same_request_approved_twice_at_once_is_approved_once(world: ProgramWorld) -> None:
    campaign = new_campaign(world.engine, world.vendor)
    fund = requested(world.engine, world.partner_a, campaign.id, world.a, 3_000)
    outcomes = _approve_at_once(world, campaign.id, [fund, fund])
    assert sorted(type(o).__name__ for o in outcomes) == ["FundRequestPublic", "StaleVersion"]
    assert any(isinstance(o, StaleVersion) for o in outcomes)
    assert committed(world.engine, campaign.id) == 3_000.0  # held once, not twice
    assert [e.action for e in events(world.engine, "fund_request")] == ["request", "approve"]
