"""Where a partner stands among its peers: a percentile only with at least 5 peers, and no
peer's figure derivable from what it is shown (SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

import pytest
from sqlmodel import Session

from core.access import PermissionDenied
from core.analytics.standing_peers import PeerStanding, peer_standing, percentile_rank
from core.models import CERT_PENDING
from tests.integration.analytics.standing_world import (
    NOW,
    add_certification,
    add_lead,
    set_headcount,
    standing_world,
)


def standing(world) -> PeerStanding:  # type: ignore[no-untyped-def]
    with Session(world.engine) as session:
        return peer_standing(session=session, viewer=world.partner_a, partner_id=world.a, now=NOW)


def rank(result: PeerStanding, metric: str):  # type: ignore[no-untyped-def]
    return next(r for r in result.ranks if r.metric == metric)


def test_with_four_peers_no_percentile_is_computed(db_engine):
    world, _ = standing_world(db_engine, peers=4, peer_breadth=[0, 1, 3, 4])
    result = standing(world)
    assert (result.region, result.size_band, result.group_peers) == ("South", "1–9 people", 4)
    assert not result.enough_peers
    assert all(r.percentile is None for r in result.ranks)
    assert rank(result, "breadth").own_value == 2.0  # its own figure, always its to see


def test_with_five_peers_the_breadth_percentile_ties_counting_half(db_engine):
    # Peers 0 1 2 3 4 against its own 2: two below, one equal -> (2 + 0.5) / 5 = 50 %.
    world, _ = standing_world(db_engine, peers=5, peer_breadth=[0, 1, 2, 3, 4])
    result = standing(world)
    assert result.group_peers == 5 and result.enough_peers
    breadth = rank(result, "breadth")
    assert (breadth.own_value, breadth.peers, breadth.percentile) == (2.0, 5, 50)
    # Nobody has leads or growth: undefined, never ranked as zero.
    assert rank(result, "win_rate").percentile is None
    assert rank(result, "growth").peers == 0


def test_a_partner_in_another_size_band_or_region_is_no_peer(db_engine):
    world, peers = standing_world(db_engine, peers=5, peer_breadth=[0, 1, 2, 3, 4])
    set_headcount(db_engine, peers[:1], 60)  # 50–249 people: another band
    result = standing(world)
    assert result.group_peers == 4 and rank(result, "breadth").percentile is None
    # Partner B (New York) was never in the group.


def test_evidence_share_counts_approved_unexpired_certifications_only(db_engine):
    world, _ = standing_world(db_engine, peers=5)
    add_certification(db_engine, world.a, "cisco-ccna")  # networking 2: backs networking
    add_certification(db_engine, world.a, "microsoft-sc-200", status=CERT_PENDING)
    add_certification(db_engine, world.a, "microsoft-az-900", expires_on=date(2026, 1, 1))
    share = rank(standing(world), "evidence_share")
    # Claims networking 2, security 2, cloud 1: networking backed; CCNA's security 1 < 2;
    # the pending SC-200 and the expired AZ-900 do not count.
    assert share.own_value == pytest.approx(1 / 3)


def test_win_rate_ranks_among_peers_with_decided_leads(db_engine):
    world, peers = standing_world(db_engine, peers=5)
    add_lead(db_engine, world.a, days_ago=10, status="won")
    add_lead(db_engine, world.a, days_ago=10, status="lost")  # 0.5
    for pid, wins in zip(peers, [0, 1, 1, 2, 2], strict=True):  # 0, .5, .5, .67, .67
        for status in ["won"] * wins + ["lost"]:
            add_lead(db_engine, pid, days_ago=20, status=status)
    win = rank(standing(world), "win_rate")
    # One peer below, two tied (half each): (1 + 1) / 5 = 40 %.
    assert (win.own_value, win.peers, win.percentile) == (0.5, 5, 40)


def test_no_peer_figure_can_be_derived_from_what_the_partner_sees(db_engine):
    """The attack: with exactly five peers, compare what the partner is shown in two worlds
    that differ only in one peer's figure. If anything it sees moved, that peer's figure
    would leak; nothing does, and nothing shown is a peer's value (no min, max, quartile)."""
    world, peers = standing_world(db_engine, peers=5, peer_breadth=[0, 1, 3, 4, 4])
    before = asdict(standing(world))
    set_breadth_of_peer(db_engine, peers[4], 6)  # the top peer grows from 4 to 6 areas
    after = asdict(standing(world))
    assert after == before
    shown = {r["metric"]: r for r in before["ranks"]}
    assert set(shown["breadth"]) == {"metric", "own_value", "peers", "percentile"}
    assert shown["breadth"]["own_value"] == 2.0 and shown["breadth"]["percentile"] == 40


def set_breadth_of_peer(engine, partner_id: int, areas: int) -> None:  # type: ignore[no-untyped-def]
    from core.models import PartnerCompetency

    keys = ["networking", "security", "cloud", "storage_backup", "productivity", "mobile"]
    with Session(engine) as session:
        for key in keys[:areas]:
            session.merge(PartnerCompetency(partner_id=partner_id, area_key=key, claimed_level=2))
        session.commit()


def test_peers_are_the_partners_and_admins_only(db_engine):
    world, _ = standing_world(db_engine, peers=5)
    with Session(db_engine) as session:
        for viewer in (world.partner_b, world.vendor, None):
            with pytest.raises(PermissionDenied):
                peer_standing(session=session, viewer=viewer, partner_id=world.a, now=NOW)
        admin = peer_standing(session=session, viewer=world.admin, partner_id=world.a, now=NOW)
    assert admin.group_peers == 5


def test_percentile_rank_rounds_to_tens_and_needs_five():
    assert percentile_rank(2, 0, 4) is None
    assert percentile_rank(0, 0, 5) == 0 and percentile_rank(5, 0, 5) == 100
    assert percentile_rank(1, 1, 7) == 20  # 1.5 / 7 = 21 %


def test_growth_and_responsiveness_rank_among_peers_that_have_them(db_engine):
    from sqlmodel import Session as S

    from core.models import PartnerResponsiveness, PartnerYearFigures
    from tests.integration.analytics.standing_world import LAST_COMPLETED

    world, peers = standing_world(db_engine, peers=6)
    with S(db_engine) as session:
        # Last completed year's revenue is 500,000 for everyone (standing_world); the year
        # before decides growth: own +25 %, peers -10 %, 0 %, +10 %, +50 %, +100 %, none.
        befores = [400_000, 555_555.5, 500_000, 454_545.5, 333_333.5, 250_000, None]
        for pid, before in zip([world.a, *peers], befores, strict=True):
            if before is not None:
                session.add(PartnerYearFigures(partner_id=pid, year=LAST_COMPLETED - 1,
                                               revenue_usd=float(before)))  # fmt: skip
        for pid, within in zip([world.a, *peers[:4]], [8, 2, 4, 6, 10], strict=True):
            session.add(PartnerResponsiveness(partner_id=pid, leads=10, answered=10,
                                              within_two_business_days=within))  # fmt: skip
        session.commit()
    result = standing(world)
    growth = rank(result, "growth")
    assert growth.own_value == pytest.approx(0.25)
    assert (growth.peers, growth.percentile) == (5, 60)  # 3 of 5 below
    responsive = rank(result, "responsiveness")
    assert (responsive.own_value, responsive.peers, responsive.percentile) == (0.8, 4, None)
