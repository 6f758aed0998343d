"""Random search and team queries over a small hand-made index: a QueryError or results
that respect every filter, never another exception."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import numpy as np
from hypothesis import event, given
from hypothesis import strategies as st

from core.geo.places import resolve_place
from core.search.index import ReadIndex
from core.search.query import QueryError, parse_query
from core.search.ranking import search_index
from core.taxonomy import get_taxonomy
from core.teams.finder import find_teams_in_index
from core.teams.query import parse_team_query
from tests.unit.hand_made_index import hand_made_index

NOW = datetime(2026, 6, 1, tzinfo=UTC)
TAXONOMY = get_taxonomy()
AUSTIN = resolve_place("78701")


def _directory(n: int = 60) -> ReadIndex:
    rng = np.random.default_rng(14)
    areas = len(TAXONOMY.area_keys)
    levels = rng.choice(4, size=(n, areas), p=[0.5, 0.15, 0.2, 0.15]).astype(np.int8)
    evidenced = np.minimum(levels, rng.choice(4, size=(n, areas))).astype(np.int8)
    offsets = rng.normal(scale=0.8, size=(n, 2))
    updated = NOW.timestamp() - rng.uniform(0, 3 * 365, size=n) * 86400
    return hand_made_index(
        hq_latitude=AUSTIN.latitude + offsets[:, 0],
        hq_longitude=AUSTIN.longitude + offsets[:, 1],
        hq_city=["Austin, TX"] * n,
        built_for_day=NOW.date(),
        claimed=levels,
        evidenced=evidenced,
        vendor_names=TAXONOMY.vendors,
        freshness_ts=updated,
        updated_ts=updated,
    )


INDEX = _directory()
ROW_OF = {int(pid): row for row, pid in enumerate(INDEX.partner_ids)}
PLACES = ["78701", "Austin, TX", "austin tx", "San Antonio", "00000", "Nowhere, ZZ", "", "²"]
anything = st.one_of(st.text(max_size=12), st.integers(), st.floats(), st.none(), st.booleans())
good_filters = st.fixed_dictionaries(
    {"needs": st.lists(st.sampled_from(TAXONOMY.area_keys), min_size=1, max_size=4, unique=True)},
    optional={
        "min_level": st.integers(1, 3),
        "evidence_only": st.booleans(),
        "near": st.sampled_from(["78701", "Austin, TX", "austin tx", "San Antonio, TX"]),
        "radius_km": st.floats(1, 800),
        "include_service_area": st.booleans(),
        "states": st.lists(st.sampled_from(["TX", "tx"]), max_size=1),
        "keyword": st.sampled_from(["partner 1", "partner"]),
    },
)
any_filters = st.fixed_dictionaries(
    {},
    optional={
        "needs": st.one_of(
            st.lists(st.sampled_from(TAXONOMY.area_keys), max_size=5, unique=True),
            st.lists(st.text(max_size=6), max_size=2),
        ),
        "min_level": st.one_of(st.integers(0, 4), anything),
        "evidence_only": st.booleans(),
        "near": st.one_of(st.sampled_from(PLACES), st.text(max_size=15)),
        "radius_km": st.one_of(st.floats(1, 900), anything),
        "include_service_area": st.booleans(),
        "states": st.lists(st.sampled_from(["TX", "tx", "CA", "ZZ", "PR"]), max_size=2),
        "segment": st.one_of(st.sampled_from(TAXONOMY.segment_keys), anything),
        "vendor": st.one_of(st.sampled_from(TAXONOMY.vendors), anything),
        "keyword": st.one_of(st.just("partner 1"), st.text(max_size=10)),
        "responsive": st.booleans(),
    },
)
# Half sensible searches (so results are checked), half anything at all (so errors are).
filters = st.one_of(good_filters, any_filters)


def _effective(row: int, area: str, evidence_only: bool) -> int:
    col = INDEX.column(area)
    claimed, evidenced = int(INDEX.claimed[row, col]), int(INDEX.evidenced[row, col])
    if evidence_only and INDEX.technology_columns[col]:
        return evidenced
    return max(claimed, evidenced)


@given(
    fields=filters, extra=st.fixed_dictionaries({}, optional={"sort": anything, "page": anything})
)
def test_a_search_is_a_query_error_or_results_within_every_filter(
    fields: dict[str, Any], extra: dict[str, Any]
) -> None:
    try:
        query = parse_query(fields | extra)
        results = search_index(INDEX, query, now=NOW)
    except QueryError as exc:
        assert str(exc).strip()
        return
    event("results" if results.results else "no results")
    assert results.total >= len(results.results)
    for partner in results.results:
        row = ROW_OF[partner.partner_id]
        for need in query.needs:
            assert _effective(row, need, query.evidence_only) >= query.min_level
        if results.place is not None and partner.reach == "nearby":
            assert partner.distance_km is not None
            assert partner.distance_km <= query.radius_km + 1e-6


@given(fields=filters, max_size=st.one_of(st.integers(1, 5), st.integers(0, 6), anything))
def test_a_team_search_is_a_query_error_or_teams_that_cover_every_need(
    fields: dict[str, Any], max_size: Any
) -> None:
    try:
        query = parse_team_query(fields | {"max_size": max_size})
        result = find_teams_in_index(INDEX, query, now=NOW)
    except QueryError as exc:
        assert str(exc).strip()
        return
    event("teams" if result.teams else "no team")
    for team in result.teams:
        assert 1 <= len(team.members) <= query.max_size
        assert set(team.assignment) == set(query.needs)
        for need, partner_id in team.assignment.items():
            assert partner_id in team.ids
            assert _effective(ROW_OF[partner_id], need, query.evidence_only) >= query.min_level
