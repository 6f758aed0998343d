"""Relaxations for empty or poor searches, over an index of the sample directory."""

from __future__ import annotations

import pytest

from core.db import create_db_engine
from core.migrations import migrate
from core.search.index import ReadIndex, build_read_index
from core.search.query import QueryError, SearchQuery
from core.search.ranking import match_partners, resolve_query_place
from core.search.relaxation import is_poor, suggest_relaxations
from tests.public_directory import build_sample_directory


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> ReadIndex:
    # A file, not ":memory:": the index loader reads over connections of its own.
    engine = create_db_engine(f"sqlite:///{tmp_path_factory.mktemp('index') / 'index.sqlite'}")
    migrate(engine)
    build_sample_directory(engine, fillers=3)
    try:
        return build_read_index(engine)
    finally:
        engine.dispose()


def count(index: ReadIndex, query: SearchQuery) -> int:
    return int(match_partners(index, query, resolve_query_place(query)).rows.size)


def test_the_need_that_rules_out_the_most_comes_first(index):
    query = SearchQuery(needs=["security", "print_services"], near="78701")
    assert count(index, query) == 0
    first = suggest_relaxations(index, query)[0]
    assert (first.kind, first.target) == ("drop_need", "print_services")
    assert first.result_count == 4
    assert first.query.needs == ["security"]
    assert "Print services" in first.reason


def test_every_suggestion_finds_more_and_they_are_sorted_by_gain(index):
    query = SearchQuery(needs=["security", "storage_backup"], near="78701", radius_km=30,
                        min_level=3, evidence_only=True)  # fmt: skip
    suggestions = suggest_relaxations(index, query)
    current = count(index, query)
    assert suggestions, "a strict search must have something to relax"
    gains = [s.gain for s in suggestions]
    assert gains == sorted(gains, reverse=True)
    for s in suggestions:
        assert s.result_count == count(index, s.query) > current
        assert s.gain == s.result_count - current
        assert s.query.page == 1


def test_lowering_the_level_and_counting_claims_are_offered(index):
    query = SearchQuery(needs=["security"], near="78701", min_level=3, evidence_only=True)
    kinds = {s.kind for s in suggest_relaxations(index, query)}
    assert {"lower_level", "evidence_off"} <= kinds


def test_a_wider_radius_or_the_service_area_reaches_farther_partners(index):
    query = SearchQuery(needs=["managed_it"], near="78701")
    by_kind = {s.kind: s for s in suggest_relaxations(index, query)}
    assert by_kind["service_area"].result_count == 1  # Dallas serves all of Texas
    assert by_kind["service_area"].query.include_service_area
    radius = SearchQuery(needs=["print_services"], near="78701", radius_km=200)
    widened = {s.kind: s for s in suggest_relaxations(index, radius)}["widen_radius"]
    assert widened.query.radius_km == 400 and widened.result_count == 1


def test_each_excluding_filter_can_be_dropped(index):
    for extra, kind in (
        ({"segment": "1000+"}, "drop_segment"),
        ({"vendor": "Xerox"}, "drop_vendor"),
        ({"keyword": "nobody"}, "drop_keyword"),
        ({"states": ["CA"]}, "drop_states"),
    ):
        query = SearchQuery(needs=["security"], near="78701", **extra)
        assert next(s.kind for s in suggest_relaxations(index, query)) == kind
    only_size = SearchQuery(needs=["security"], near="78701", segment="1000+")
    (relax,) = [s for s in suggest_relaxations(index, only_size) if s.kind == "drop_segment"]
    assert relax.query.segment is None and relax.result_count == 4
    assert relax.reason == (
        "The company size (More than 1,000 employees) rules out the most partners."
    )


def test_radius_suggestions_show_decimals_only_when_not_whole(index):
    query = SearchQuery(needs=["print_services"], near="78701", radius_km=200.5)
    widened = {s.kind: s for s in suggest_relaxations(index, query)}["widen_radius"]
    assert widened.label == "Search within 401 km"
    assert widened.reason == "The 200.5 km radius rules out the most partners."
    query = SearchQuery(needs=["print_services"], near="78701", radius_km=200)
    widened = {s.kind: s for s in suggest_relaxations(index, query)}["widen_radius"]
    assert widened.label == "Search within 400 km"


def test_a_single_need_is_never_suggested_for_dropping(index):
    query = SearchQuery(needs=["insurance"], near="78701", radius_km=10)
    assert all(s.kind != "drop_need" for s in suggest_relaxations(index, query))


def test_nothing_is_suggested_when_no_single_change_helps(index):
    assert suggest_relaxations(index, SearchQuery(needs=["iot"], near="78701")) == []
    two_blocks = SearchQuery(needs=["security"], near="78701", segment="1000+", vendor="Xerox")
    assert suggest_relaxations(index, two_blocks) == []


def test_an_unknown_place_is_a_query_error(index):
    with pytest.raises(QueryError, match="99999"):
        suggest_relaxations(index, SearchQuery(needs=["security"], near="99999"))


def test_fewer_than_three_results_count_as_poor():
    assert is_poor(0) and is_poor(2) and not is_poor(3)
