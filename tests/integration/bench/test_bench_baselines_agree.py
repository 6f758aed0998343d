"""The benchmark's baselines and floor return exactly the core's matches (SQLite only:
the baseline store is a SQLite file beside the bench directory)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pytest
from sqlalchemy import create_engine

from bench.baselines import naive, sql_indexed, store
from bench.baselines.teams_exact import find_teams
from bench.floor import floor_rows
from bench.query_mixes import common_keywords, rare_keywords, sparse_zips, team_mix
from bench.search_core import check_result_sets, core_ids
from core.demo.generator import seed_demo_directory
from core.search.index import ReadIndex, build_read_index
from core.search.query import SearchQuery
from core.search.ranking import search_index
from core.teams.finder import find_teams_in_index
from core.teams.query import TeamQuery

TODAY = date(2025, 6, 1)
NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def directory(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("bench")
    url = f"sqlite:///{folder / 'directory.sqlite'}"
    engine = create_engine(url)
    seed_demo_directory(engine=engine, partners=3000, seed=11, today=TODAY, with_activity=False)
    index = build_read_index(engine, today=TODAY)
    path = folder / "baselines.sqlite"
    store.build_store(url, path, today=TODAY)
    conn = store.connect(path, url)
    yield index, conn
    conn.close()
    engine.dispose()


def _queries(index: ReadIndex) -> list[SearchQuery]:
    sparse = sparse_zips(index, radius_km=80)
    return [
        SearchQuery(needs=["security", "storage_backup", "cloud"], near="78701", radius_km=80),
        SearchQuery(needs=["networking", "financing"], min_level=1, near="10001", radius_km=150),
        SearchQuery(needs=["security"], min_level=3, near=sparse[0], radius_km=200),
        SearchQuery(keyword="wi-fi"),
        SearchQuery(keyword="back"),
        SearchQuery(keyword="cloud", needs=["security"]),
        SearchQuery(keyword="managed", near="60601", radius_km=120, needs=["cloud"]),
        SearchQuery(needs=["insurance", "telecom"]),
        *(SearchQuery(keyword=w) for w in common_keywords(index)[:2]),
        *(SearchQuery(keyword=w) for w in rare_keywords(index)[:2]),
    ]


def test_sql_baselines_and_floor_return_the_cores_matches(directory) -> None:  # type: ignore[no-untyped-def]
    index, conn = directory
    for query in _queries(index):
        expected = core_ids(index, query)
        assert expected.size == search_index(index, query, now=NOW).total
        assert np.array_equal(sql_indexed.matching_ids(conn, query), expected), query
        assert np.array_equal(naive.matching_ids(conn, query), expected), query
        if query.near is not None:
            rtree = sql_indexed.matching_ids(conn, query, spatial="rtree")
            assert np.array_equal(rtree, expected), query
            assert sql_indexed.search(conn, query, spatial="rtree")[0] == expected.size
        assert np.array_equal(np.sort(index.partner_ids[floor_rows(index, query)]), expected)
        total, page = sql_indexed.search(conn, query)
        assert total == expected.size
        assert len(page) == min(20, total) and set(page) <= set(expected.tolist())
        naive_total, _ = naive.search(conn, query)
        assert naive_total == expected.size


def test_the_benchmark_flags_a_baseline_that_misses_a_match(directory, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    index, conn = directory
    make = lambda i: SearchQuery(keyword="managed")  # noqa: E731
    assert all(check_result_sets(index, conn, make, distinct=1).values())
    monkeypatch.setattr(naive, "matching_ids", lambda conn, query: core_ids(index, query)[1:])
    assert check_result_sets(index, conn, make, distinct=1) == {
        "baseline_indexed_sql": True, "baseline_naive": False, "floor": True,
    }  # fmt: skip


def test_exact_team_baseline_finds_the_cores_teams(directory) -> None:  # type: ignore[no-untyped-def]
    index, _ = directory
    mix, shares = team_mix(index, runs=12)
    assert mix and sum(shares["mix"].values()) == len(mix)
    extra = [TeamQuery(needs=["security", "cloud", "iot"], near="98101", radius_km=60, max_size=2)]
    for query in [*mix, *extra]:
        core = find_teams_in_index(index, query, now=NOW)
        size, scores, teams = find_teams(index, query, now=NOW)
        assert size == core.size, query
        core_scores = sorted((t.exact_score for t in core.teams), reverse=True)
        assert scores == pytest.approx(core_scores, abs=1e-9), query
        assert all(len(team) == size for team in teams)
