"""Fairness among equal candidates, and the business-day clock of overdue leads (no database)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from core.models import ROUTING_ROUND_ROBIN, ROUTING_WEIGHTED_TIER
from core.routing.candidates import Candidate, choose
from core.routing.inbox import business_days_before

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)  # a Monday


def test_round_robin_picks_a_never_offered_member_first_then_the_longest_waiting() -> None:
    members = [
        Candidate(1, "Select", T0),
        Candidate(2, "Select", None),
        Candidate(3, "Gold", T0 - timedelta(days=1)),
    ]
    pick = choose(members, fairness=ROUTING_ROUND_ROBIN, vendor="Cisco", lead_id=1, attempt=0)
    assert pick.partner_id == 2
    pick = choose(members[::2], fairness=ROUTING_ROUND_ROBIN, vendor="Cisco", lead_id=1, attempt=0)
    assert pick.partner_id == 3


def test_round_robin_breaks_ties_by_partner_id() -> None:
    members = [Candidate(7, None, None), Candidate(4, None, None)]
    assert (
        choose(members, fairness=ROUTING_ROUND_ROBIN, vendor="Cisco", lead_id=9, attempt=0)
        == (members[1])
    )


def test_weighted_tier_is_deterministic_and_shares_follow_tier_rank() -> None:
    # Cisco tiers: Registered (1), Select (2), Premier (3), Gold (4).
    members = [Candidate(1, "Registered"), Candidate(2, "Gold")]
    picks = [
        choose(members, fairness=ROUTING_WEIGHTED_TIER, vendor="Cisco", lead_id=n, attempt=0)
        for n in range(4000)
    ]
    again = [
        choose(members, fairness=ROUTING_WEIGHTED_TIER, vendor="Cisco", lead_id=n, attempt=0)
        for n in range(4000)
    ]
    assert picks == again
    shares = Counter(p.partner_id for p in picks)
    assert 0.75 < shares[2] / 4000 < 0.85  # 4 of 5


def test_business_days_skip_the_weekend() -> None:
    assert business_days_before(T0, 2) == datetime(2026, 2, 26, 9, tzinfo=UTC)  # Thursday
    wednesday = datetime(2026, 3, 4, 15, tzinfo=UTC)
    assert business_days_before(wednesday, 2) == datetime(2026, 3, 2, 15, tzinfo=UTC)
    sunday = datetime(2026, 3, 8, 12, tzinfo=UTC)
    assert business_days_before(sunday, 2) == datetime(2026, 3, 5, 0, tzinfo=UTC)
