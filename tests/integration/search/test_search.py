"""Search core against a small, hand-made directory in real places (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine

from core.geo.distance import haversine_km
from core.geo.places import lookup_zip
from core.search.index import ReadIndexHolder, build_read_index
from core.search.query import QueryError, SearchQuery, parse_query
from core.search.ranking import search_directory, search_index
from tests.public_directory import (
    AUSTIN,
    DALLAS,
    ROUND_ROCK,
    SAN_MARCOS,
    commit_partner,
    create_directory,
)

PARTNERS: dict[str, dict[str, Any]] = {
    "austin_secure": {
        "name": "Austin Secure Backup",
        "zips": (AUSTIN,),
        "levels": {"security": 3, "storage_backup": 2, "financing": 2},
        "certs": ("fortinet-nse4", "veeam-vmce"),
        "description": "Firewalls and Veeam backup for law firms",
    },
    "round_rock_claims": {
        "name": "Round Rock Claims Everything",
        "zips": (ROUND_ROCK,),
        "levels": {"security": 3, "storage_backup": 3, "financing": 2},
        "updated_days_ago": 600,
    },
    "san_marcos": {
        "name": "San Marcos Networks",
        "zips": (SAN_MARCOS,),
        "levels": {"security": 2, "storage_backup": 2, "financing": 2, "networking": 3},
        "certs": ("cisco-ccna",),
        "expired": ("veeam-vmce",),
    },
    "dallas_statewide": {
        "name": "Dallas Statewide MSP",
        "zips": (DALLAS,),
        "levels": {"security": 3, "storage_backup": 3, "financing": 3},
        "certs": ("fortinet-nse4",),
        "states": ("TX",),
        "segments": ("201-1000",),
    },
}


@pytest.fixture
def directory(db_engine: Engine) -> dict[str, int]:
    return create_directory(db_engine, PARTNERS)


def index_of(engine: Engine):
    return build_read_index(engine)


def run(engine: Engine, **fields):
    return search_index(index_of(engine), parse_query(fields), now=datetime.now(UTC))


def test_radius_search_excludes_partner_just_outside_radius(db_engine, directory):
    austin, san_marcos = lookup_zip(AUSTIN), lookup_zip(SAN_MARCOS)
    exact = float(
        haversine_km(austin.latitude, austin.longitude, san_marcos.latitude, san_marcos.longitude)
    )
    outside = run(db_engine, near=AUSTIN, radius_km=exact - 0.01)
    inside = run(db_engine, near=AUSTIN, radius_km=exact + 0.01)
    assert directory["san_marcos"] not in {r.partner_id for r in outside.results}
    assert directory["san_marcos"] in {r.partner_id for r in inside.results}
    assert all(r.distance_km <= exact + 0.01 for r in inside.results)


def test_every_result_covers_every_need_at_the_requested_level(db_engine, directory):
    results = run(
        db_engine, needs=["security", "storage_backup", "financing"], near=AUSTIN, radius_km=80
    )
    assert results.total == 3  # Dallas is 290 km away
    for result in results.results:
        assert result.distance_km <= 80
        for coverage in result.needs.values():
            assert max(coverage.claimed, coverage.evidenced) >= 2


def test_evidence_only_drops_self_assessed_and_expired_claims(db_engine, directory):
    results = run(db_engine, needs=["security", "storage_backup"], evidence_only=True)
    # Only Austin has unexpired evidence for both; San Marcos' Veeam certificate expired.
    assert [r.partner_id for r in results.results] == [directory["austin_secure"]]


def test_evidence_backed_fresh_partner_outranks_an_unbacked_stale_one(db_engine, directory):
    results = run(db_engine, needs=["security", "storage_backup"], near=AUSTIN, radius_km=60)
    ranked = [r.partner_id for r in results.results]
    assert ranked.index(directory["austin_secure"]) < ranked.index(directory["round_rock_claims"])
    unbacked = next(r for r in results.results if r.partner_id == directory["round_rock_claims"])
    assert "security" in unbacked.flagged_claims
    assert any("No certification backs" in line for line in unbacked.explanation)
    assert any("No paid placement" in line for line in unbacked.explanation)
    assert unbacked.score == pytest.approx(sum(unbacked.score_parts.values()), abs=0.2)


def test_service_area_brings_in_statewide_partner_only_when_asked(db_engine, directory):
    plain = run(db_engine, needs=["financing"], near=AUSTIN, radius_km=50)
    wider = run(
        db_engine, needs=["financing"], near=AUSTIN, radius_km=50, include_service_area=True
    )
    assert directory["dallas_statewide"] not in {r.partner_id for r in plain.results}
    dallas = next(r for r in wider.results if r.partner_id == directory["dallas_statewide"])
    assert dallas.reach == "service_area"
    assert dallas.distance_km > 250


def test_unknown_zip_is_an_error_not_an_empty_result(db_engine, directory):
    with pytest.raises(QueryError, match="00000"):
        run(db_engine, near="00000")


def test_invalid_query_fields_are_reported_readably():
    with pytest.raises(QueryError, match="radius_km"):
        parse_query({"radius_km": 5000})
    with pytest.raises(QueryError, match="unknown need"):
        parse_query({"needs": ["teleportation"]})


def test_keyword_region_segment_and_vendor_filters(db_engine, directory):
    assert [r.partner_id for r in run(db_engine, keyword="VEEAM law").results] == [
        directory["austin_secure"]
    ]
    assert run(db_engine, region="northeast").total == 0
    assert run(db_engine, region="south").total == 4
    assert [r.partner_id for r in run(db_engine, segment="201-1000").results] == [
        directory["dallas_statewide"]
    ]
    by_vendor = {r.partner_id for r in run(db_engine, vendor="cisco").results}
    assert by_vendor == {directory["san_marcos"]}


def test_paging_is_stable_and_counts_the_total(db_engine, directory):
    first = run(db_engine, page_size=2, page=1)
    second = run(db_engine, page_size=2, page=2)
    assert first.total == second.total == 4
    ids = [r.partner_id for r in first.results + second.results]
    assert sorted(ids) == sorted(directory.values())
    assert [r.rank for r in first.results + second.results] == [1, 2, 3, 4]


def test_index_holder_rebuilds_after_a_write(db_engine, directory):
    holder = ReadIndexHolder(engine=db_engine)
    before = search_directory(engine=db_engine, query=SearchQuery(), holder=holder).total
    commit_partner(db_engine, name="Brand New IT", zips=(AUSTIN,), levels={"cloud": 2})
    after = search_directory(engine=db_engine, query=SearchQuery(), holder=holder).total
    assert (before, after) == (4, 5)


def test_json_output_has_the_documented_shape(db_engine, directory):
    payload = run(db_engine, needs=["security"], near=AUSTIN, radius_km=80).to_json_dict()
    assert payload["total"] == len(payload["results"]) == 3
    first = payload["results"][0]
    assert {"partner_id", "name", "score", "distance_km", "needs", "explanation"} <= set(first)
    assert set(first["needs"]["security"]) >= {"claimed", "evidenced"}
