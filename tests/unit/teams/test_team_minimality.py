"""Team search is exact: checked against brute force over every team on random instances.

Two levels: the pure solver (random strength/quality matrices, hundreds of seeded
instances) and the whole team builder on random in-memory directories around Austin, where
the brute force recomputes the published score from the raw levels, distances and dates.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import numpy as np
import pytest

import core.teams.solver as team_search
from core.geo.distance import haversine_km
from core.geo.places import resolve_place
from core.search.index import ReadIndex
from core.search.ranking import FRESHNESS_HORIZON_DAYS
from core.taxonomy import EXPERT, get_taxonomy
from core.teams.cover import coverage_masks, smallest_team_size
from core.teams.finder import TEAM_SCORE_WEIGHTS, find_teams_in_index
from core.teams.query import TeamQuery
from core.teams.solver import best_teams, prune_dominated
from tests.unit.hand_made_index import hand_made_index

NOW = datetime(2026, 11, 1, tzinfo=UTC)
# The strengths the directory produces: (evidenced + half the unbacked claim) / expert.
REAL_STRENGTHS = np.array([1 / 3, 1 / 2, 2 / 3, 5 / 6, 1.0])


# ---- brute force ------------------------------------------------------------------------------


def brute_force(strength: np.ndarray, quality: np.ndarray, limit: int):
    """(smallest size, every team of that size, their scores best first) or (None, …)."""
    needs = strength.shape[1]
    masks = coverage_masks(strength)
    full = (1 << needs) - 1
    for size in range(1, limit + 1):
        combos = np.asarray(
            list(itertools.combinations(range(masks.size), size)), dtype=np.int64
        ).reshape(-1, size)
        teams = combos[np.bitwise_or.reduce(masks[combos], axis=1) == full] if combos.size else []
        if len(teams):
            scores = strength[teams].max(axis=1).sum(axis=1) + quality[teams].sum(axis=1)
            order = np.argsort(-scores, kind="stable")
            return size, teams[order], scores[order]
    return None, None, None


def random_instance(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Many candidates with random level vectors; some instances full of ties."""
    m = int(rng.integers(1, 36))
    needs = int(rng.integers(1, 8))
    if rng.random() < 0.4:  # specialists: one to three needs each, so teams grow to 3–5
        covers = np.zeros((m, needs), dtype=bool)
        for row in covers:
            row[rng.choice(needs, size=min(needs, int(rng.integers(1, 4))), replace=False)] = True
    else:
        covers = rng.random((m, needs)) < rng.uniform(0.1, 0.5)
    if rng.random() < 0.6:
        strength = rng.choice(REAL_STRENGTHS, size=(m, needs)) * covers
    else:
        strength = rng.random((m, needs)) * covers
    quality = rng.random(m) * rng.choice([0.05, 1.0, 5.0])
    if rng.random() < 0.3:
        quality = np.round(quality, 1)  # equal qualities: ties must not break exactness
    return strength, quality


SEEDS = range(400)


# ---- the pure solver -------------------------------------------------------------------------


@pytest.mark.parametrize("profile_limit", [0, 10_000], ids=["twins-only", "cross-profile"])
def test_solver_matches_brute_force_on_hundreds_of_random_instances(
    monkeypatch: pytest.MonkeyPatch, profile_limit: int
) -> None:
    monkeypatch.setattr(team_search, "_MAX_PROFILES_COMPARED", profile_limit)
    solved = 0
    sizes = dict.fromkeys(range(1, 6), 0)
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        strength, quality = random_instance(rng)
        limit = int(rng.integers(2, 6))
        count = int(rng.integers(1, 8))
        needs = strength.shape[1]
        expected_size, teams, scores = brute_force(strength, quality, limit)

        size = smallest_team_size(coverage_masks(strength), needs, limit=limit)
        assert size == expected_size, f"seed {seed}"
        if size is None:
            continue
        sizes[size] += 1
        found = best_teams(strength, quality, size=size, count=count)

        assert len(found) == min(count, len(teams)), f"seed {seed}"
        full = (1 << needs) - 1
        for team in found:
            members = list(team.members)
            assert len(set(members)) == size
            assert np.bitwise_or.reduce(coverage_masks(strength[members])) == full
            recomputed = strength[members].max(axis=0).sum() + quality[members].sum()
            assert team.score == pytest.approx(recomputed)
        got = [t.score for t in found]
        assert got == sorted(got, reverse=True), f"seed {seed}: not best first"
        assert got == pytest.approx(list(scores[: len(found)])), f"seed {seed}"
        solved += 1
    assert solved > 250  # most instances do have a team
    assert sizes[3] + sizes[4] + sizes[5] > 40, sizes  # and many need a real team


def test_no_smaller_team_exists_than_the_size_returned() -> None:
    for seed in SEEDS:
        strength, _ = random_instance(np.random.default_rng(seed))
        masks = coverage_masks(strength)
        size = smallest_team_size(masks, strength.shape[1], limit=4)
        if size is None or size == 1:
            continue
        full = (1 << strength.shape[1]) - 1
        for smaller in range(1, size):
            for combo in itertools.combinations(range(masks.size), smaller):
                assert np.bitwise_or.reduce(masks[list(combo)]) != full


def test_size_is_none_when_a_need_has_no_candidate_or_the_limit_is_too_small() -> None:
    strength = np.array([[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0]])
    masks = coverage_masks(strength)
    assert smallest_team_size(masks, 3, limit=2) is None
    assert smallest_team_size(masks, 3, limit=3) == 3
    assert smallest_team_size(masks[:2], 3, limit=5) is None


def test_pruning_keeps_every_member_of_the_best_teams_when_dominators_are_few() -> None:
    # Three candidates strictly better than the fourth: with keep=4 nobody may be dropped,
    # with keep=3 the fourth has three dominators and goes.
    strength = np.array([[1.0, 1.0], [1.0, 0.9], [0.9, 1.0], [0.5, 0.5]])
    quality = np.array([3.0, 2.0, 2.0, 1.0])
    assert prune_dominated(strength, quality, keep=4).tolist() == [0, 1, 2, 3]
    assert prune_dominated(strength, quality, keep=3).tolist() == [0, 1, 2]


def test_best_team_credits_strength_once_per_need_not_once_per_member() -> None:
    # Two experts on the same need add nothing over one; the specialist pair wins.
    strength = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    quality = np.zeros(4)
    (best,) = best_teams(strength, quality, size=1, count=1)
    assert best.members == (3,)
    teams = best_teams(strength[:3], quality[:3], size=2, count=5)
    assert [t.members for t in teams] == [(0, 2), (1, 2)]
    assert [t.score for t in teams] == [2.0, 2.0]


# ---- the whole team builder on random directories ----------------------------------------------

AUSTIN = resolve_place("78701")


def random_directory(rng: np.random.Generator, n: int) -> ReadIndex:
    """An in-memory read index of `n` partners scattered up to ~130 km around Austin."""
    taxonomy = get_taxonomy()
    areas = len(taxonomy.area_keys)
    levels = rng.choice(4, size=(n, areas), p=[0.6, 0.15, 0.17, 0.08]).astype(np.int8)
    evidenced = np.minimum(levels, rng.choice(4, size=(n, areas), p=[0.4, 0.1, 0.3, 0.2]))
    evidenced = evidenced.astype(np.int8)
    offsets = rng.normal(scale=0.55, size=(n, 2))
    hq_lat, hq_lon = AUSTIN.latitude + offsets[:, 0], AUSTIN.longitude + offsets[:, 1]
    # A third of the partners have a branch somewhere else nearby.
    branch = np.flatnonzero(rng.random(n) < 0.33)
    loc_row = np.concatenate([np.arange(n), branch]).astype(np.int32)
    loc_lat = np.concatenate([hq_lat, hq_lat[branch] + rng.normal(scale=0.5, size=branch.size)])
    loc_lon = np.concatenate([hq_lon, hq_lon[branch] + rng.normal(scale=0.5, size=branch.size)])
    order = np.argsort(loc_row, kind="stable")
    updated = NOW.timestamp() - rng.uniform(0, 3 * 365, size=n) * 86400
    return hand_made_index(
        hq_latitude=hq_lat,
        hq_longitude=hq_lon,
        hq_city=["Austin, TX"] * n,
        built_for_day=NOW.date(),
        partner_ids=np.arange(1, n + 1, dtype=np.int64) * 10,
        claimed=levels,
        evidenced=evidenced,
        vendor_names=taxonomy.vendors,
        freshness_ts=updated,
        updated_ts=updated,
        loc_row=loc_row[order],
        loc_latitude=loc_lat[order],
        loc_longitude=loc_lon[order],
        loc_state=np.zeros(loc_row.size, dtype=np.int8),
    )


def documented_scores(index: ReadIndex, query: TeamQuery):
    """Candidates in range and the published per-need / per-member score terms, from scratch."""
    km = haversine_km(AUSTIN.latitude, AUSTIN.longitude, index.loc_latitude, index.loc_longitude)
    nearest = np.full(index.size, np.inf)
    np.minimum.at(nearest, index.loc_row, km)
    rows = np.flatnonzero(nearest <= query.radius_km)
    cols = [index.column(k) for k in query.needs]
    claimed = index.claimed[np.ix_(rows, cols)].astype(float)
    evidenced = index.evidenced[np.ix_(rows, cols)].astype(float)
    technology = index.technology_columns[cols]
    if query.evidence_only:
        effective = np.where(technology, evidenced, np.maximum(claimed, evidenced))
    else:
        effective = np.maximum(claimed, evidenced)
    meets = effective >= query.min_level
    strength = np.where(meets, (evidenced + 0.5 * np.maximum(claimed - evidenced, 0)) / EXPERT, 0)
    closeness = np.clip(1 - nearest[rows] / query.radius_km, 0, 1)
    age_days = (NOW.timestamp() - index.freshness_ts[rows]) / 86400
    freshness = np.clip(1 - age_days / FRESHNESS_HORIZON_DAYS, 0, 1)
    return rows, strength, closeness, freshness


@pytest.mark.parametrize("seed", range(60))
def test_team_builder_returns_the_brute_force_minimum_and_ranking(seed: int) -> None:
    rng = np.random.default_rng(1000 + seed)
    index = random_directory(rng, int(rng.integers(15, 50)))
    needs = list(rng.choice(get_taxonomy().area_keys, size=int(rng.integers(2, 7)), replace=False))
    query = TeamQuery(
        needs=needs,
        near="78701",
        radius_km=float(rng.choice([40, 80, 120])),
        min_level=int(rng.choice([2, 2, 2, 3])),
        evidence_only=bool(rng.random() < 0.3),
        max_size=int(rng.integers(1, 5)),
        alternatives=int(rng.integers(0, 6)),
    )
    result = find_teams_in_index(index, query, now=NOW)

    rows, strength, closeness, freshness = documented_scores(index, query)
    w = TEAM_SCORE_WEIGHTS
    evidence_terms = strength * w["evidence"] / len(query.needs)
    size, teams, _ = brute_force(evidence_terms, np.zeros(rows.size), query.max_size)
    uncovered = [k for j, k in enumerate(query.needs) if not (strength[:, j] > 0).any()]
    assert result.uncovered_needs == uncovered
    assert result.size == size
    if size is None:
        assert result.teams == []
        if not uncovered:  # every need is met nearby, just not by few enough partners
            assert result.smallest_size is not None and result.smallest_size > query.max_size
        return
    member_terms = (w["distance"] * closeness + w["freshness"] * freshness) / size
    brute_scores = np.sort(
        evidence_terms[teams].max(axis=1).sum(axis=1) + member_terms[teams].sum(axis=1)
    )[::-1]

    assert len(result.teams) == min(1 + query.alternatives, len(teams))
    row_of = {int(index.partner_ids[r]): i for i, r in enumerate(rows)}
    for team in result.teams:
        assert len(team.members) == size
        positions = [row_of[m.partner_id] for m in team.members]
        # Every need is covered, and credited to a member who meets it and is strongest on it.
        for j, need in enumerate(query.needs):
            credited = row_of[team.assignment[need]]
            assert credited in positions and strength[credited, j] > 0
            assert strength[credited, j] == strength[positions, j].max()
        for member, pos in zip(team.members, positions, strict=True):
            assert member.covers == [k for j, k in enumerate(query.needs) if strength[pos, j] > 0]
        documented = evidence_terms[positions].max(axis=0).sum() + member_terms[positions].sum()
        assert team.exact_score == pytest.approx(documented)
        assert team.score == pytest.approx(documented, abs=0.051)
    exact = [t.exact_score for t in result.teams]
    assert exact == sorted(exact, reverse=True)
    assert exact == pytest.approx(list(brute_scores[: len(exact)]))


def test_need_nobody_in_range_covers_names_the_nearest_partner_beyond_the_radius() -> None:
    index = random_directory(np.random.default_rng(7), 30)
    col = index.column("insurance")
    index.claimed[:, col] = 0
    index.evidenced[:, col] = 0
    by_location = haversine_km(
        AUSTIN.latitude, AUSTIN.longitude, index.loc_latitude, index.loc_longitude
    )
    km = np.full(index.size, np.inf)
    np.minimum.at(km, index.loc_row, by_location)
    far = np.argsort(km)[-2:]  # the two farthest partners offer insurance
    index.claimed[far, col] = 2
    assert km[far].min() > 80
    query = TeamQuery(needs=["security", "insurance"], near="78701", radius_km=80)

    result = find_teams_in_index(index, query, now=NOW)

    assert result.size is None and result.teams == []
    assert result.uncovered_needs == ["insurance"]
    nearest = result.nearest_for_uncovered["insurance"]
    closest = far[np.argmin(km[far])]
    assert nearest.partner_id == int(index.partner_ids[closest])
    assert nearest.distance_km == pytest.approx(km[closest], abs=0.1)
    as_json = result.to_json_dict()
    assert as_json["size"] is None
    assert as_json["nearest_for_uncovered"]["insurance"]["partner_id"] == nearest.partner_id
