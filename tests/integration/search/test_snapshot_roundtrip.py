"""A snapshot of the read index, loaded back, answers exactly like the index it was built
from (SQLite and PostgreSQL): field by field, and through search, map pins, teams and the
profile's complements. The child-process build gives the same index."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from sqlalchemy import Engine

from core.demo.generator import seed_demo_directory
from core.maps.pins import PinPositions
from core.search.index import ReadIndex, build_read_index
from core.search.query import parse_query
from core.search.ranking import match_partners, resolve_query_place, search_index
from core.search.snapshot import load_snapshot, save_snapshot
from core.search.snapshot_build import build_snapshot_in_subprocess
from core.teams.complements import find_complements, partner_gaps
from core.teams.finder import find_teams_in_index
from core.teams.query import parse_team_query

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
QUERIES = (
    {},
    {"needs": ["security"]},
    {"needs": ["security", "cloud"], "min_level": 2, "sort": "distance", "near": "60601"},
    {"keyword": "net", "sort": "name"},
    {"near": "Austin, TX", "radius_km": 300, "include_service_area": True},
    {"states": ["TX", "CA"], "sort": "freshness", "page": 2, "page_size": 5},
    {"needs": ["networking"], "evidence_only": True, "sort": "breadth"},
    {"vendor": "Cisco", "keyword": "a"},
)


@pytest.fixture
def built(db_engine: Engine) -> ReadIndex:
    seed_demo_directory(engine=db_engine, partners=150, seed=7, with_activity=False)
    return build_read_index(db_engine, today=date.today())


def assert_same_index(loaded: ReadIndex, built: ReadIndex) -> None:
    for name, value in vars(built).items():
        other = getattr(loaded, name)
        if name == "strength":
            for mine, theirs in zip(other, value, strict=True):
                np.testing.assert_array_equal(mine, theirs)
        elif isinstance(value, np.ndarray):
            assert other.dtype == value.dtype and other.shape == value.shape, name
            np.testing.assert_array_equal(other, value, err_msg=name)
        elif isinstance(value, pa.Array | pa.ChunkedArray):
            assert other.type == value.type, name
            assert other.to_pylist() == value.to_pylist(), name
        elif name == "tokens":
            assert other.vocabulary == value.vocabulary
            np.testing.assert_array_equal(other.starts, value.starts)
            np.testing.assert_array_equal(other.rows, value.rows)
        else:
            assert other == value, name


def answers(index: ReadIndex) -> list[object]:
    out: list[object] = []
    for fields in QUERIES:
        query = parse_query(dict(fields))
        results = search_index(index, query, now=NOW)
        out.append((results.total, repr(results.results)))
        pins = PinPositions.of(index, match_partners(index, query, resolve_query_place(query)))
        out.append((pins.rows.tolist(), pins.lat.tolist(), pins.lon.tolist()))
    team = parse_team_query({"needs": ["security", "cloud", "networking"], "near": "60601"})
    teams = repr(find_teams_in_index(index, team, now=NOW))
    out.append(re.sub(r"elapsed_ms=[-+.e0-9]+", "", teams))  # a timing, not an answer
    for partner_id in index.partner_ids[:5].tolist():
        out.append(repr(partner_gaps(index=index, partner_id=partner_id)))
        out.append(repr(find_complements(index=index, partner_id=partner_id, now=NOW)))
    return out


def test_loaded_snapshot_equals_the_built_index_field_by_field(built: ReadIndex, tmp_path: Path):
    save_snapshot(built, tmp_path)
    loaded = load_snapshot(tmp_path, today=built.built_for_day)
    assert loaded is not None
    assert_same_index(loaded, built)


def test_loaded_snapshot_answers_searches_maps_teams_and_profiles_like_the_built_index(
    built: ReadIndex, tmp_path: Path
):
    save_snapshot(built, tmp_path)
    loaded = load_snapshot(tmp_path, today=built.built_for_day)
    assert loaded is not None
    expected = answers(built)
    assert any("total=0" not in str(item) for item in expected)  # the queries find partners
    assert answers(loaded) == expected


def test_loaded_arrays_are_private_copy_on_write_maps(built: ReadIndex, tmp_path: Path):
    save_snapshot(built, tmp_path)
    first = load_snapshot(tmp_path, today=built.built_for_day)
    second = load_snapshot(tmp_path, today=built.built_for_day)
    assert first is not None and second is not None
    first.claimed[0, 0] = 99  # an in-place edit (p15a's deltas) stays in this process's copy
    assert second.claimed[0, 0] == built.claimed[0, 0]
    third = load_snapshot(tmp_path, today=built.built_for_day)
    assert third is not None and third.claimed[0, 0] == built.claimed[0, 0]


def test_child_process_build_gives_the_same_index(db_engine: Engine, built: ReadIndex, tmp_path):
    url = db_engine.url.render_as_string(hide_password=False)
    child = build_snapshot_in_subprocess(database_url=url, directory=tmp_path, today=date.today())
    built.build_seconds = child.build_seconds  # the one field that differs between builds
    assert_same_index(child, built)
    assert load_snapshot(tmp_path, today=date.today()) is not None
