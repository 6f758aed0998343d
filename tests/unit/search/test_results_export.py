"""Search results as CSV: every match in rank order, coverage columns, no formulas."""

from __future__ import annotations

import csv
import io

import pytest
from sqlmodel import Session

from core.db import create_db_engine
from core.migrations import migrate
from core.search.export import export_file_name, results_to_csv
from core.search.index import ReadIndex, build_read_index
from core.search.query import SearchQuery
from core.search.ranking import search_index
from tests.public_directory import add_partner, build_sample_directory


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> ReadIndex:
    # A file, not ":memory:": the index loader reads over connections of its own.
    engine = create_db_engine(f"sqlite:///{tmp_path_factory.mktemp('index') / 'index.sqlite'}")
    migrate(engine)
    build_sample_directory(engine, fillers=30)
    with Session(engine) as session:
        add_partner(session, name="=HYPERLINK(\"http://evil\")", zips=("78701",),
                    levels={"hardware": 2})  # fmt: skip
        session.commit()
    try:
        return build_read_index(engine)
    finally:
        engine.dispose()


def rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets then read UTF-8
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_holds_every_match_in_rank_order_beyond_the_first_page(index):
    query = SearchQuery(needs=["hardware"], near="78701")
    found = rows(results_to_csv(index=index, query=query))
    assert len(found) == search_index(index, query).total == 31
    assert [int(r["rank"]) for r in found] == list(range(1, 32))
    first_page = search_index(index, query).results
    assert [int(r["partner_id"]) for r in found[:20]] == [r.partner_id for r in first_page]


def test_csv_has_claimed_and_evidenced_columns_per_need(index):
    query = SearchQuery(needs=["security", "storage_backup"], near="78701")
    found = {r["name"]: r for r in rows(results_to_csv(index=index, query=query))}
    secure = found["Austin Secure Backup"]
    assert secure["Security – claimed"] == "Expert"
    assert secure["Security – evidenced"] == "Proficient"
    assert secure["needs_met"] == "2 of 2"
    assert secure["profile_link"].startswith("/partner_profile?id=")
    assert "No paid placement" in secure["why_this_rank"]


def test_csv_cells_never_start_a_formula(index):
    found = rows(results_to_csv(index=index, query=SearchQuery(needs=["hardware"])))
    evil = [r["name"] for r in found if "HYPERLINK" in r["name"]]
    assert evil == ['\'=HYPERLINK("http://evil")']


def test_csv_stops_at_the_cap(index):
    found = rows(results_to_csv(index=index, query=SearchQuery(), max_rows=5))
    assert len(found) == 5


def test_file_name_says_what_was_searched():
    name = export_file_name(SearchQuery(needs=["cloud", "security"]))
    assert name.startswith("partner-atlas-security-cloud-") and name.endswith(".csv")
