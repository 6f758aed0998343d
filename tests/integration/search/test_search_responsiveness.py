"""Search by responsiveness and the stale mark, through the search service (SQLite and
PostgreSQL): the summary computed in the database, loaded by the read index."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from core.db import session_scope
from core.directory.confirmation import confirm_still_correct, issue_still_correct_token
from core.directory.responsiveness import recompute_all
from core.search.index import ReadIndexHolder
from core.search.query import SearchQuery
from core.search.ranking import search_directory, search_index
from tests.integration.analytics.responsiveness_world import (
    NOW,
    add_leads,
    at,
    responsiveness_world,
)
from tests.public_directory import AUSTIN, create_directory

QUICK_LEADS = [(at(day, 10), 2.0, None) for day in (9, 10, 11, 12, 13)]


@pytest.fixture
def world(db_engine: Engine) -> dict[str, int]:
    ids = responsiveness_world(db_engine)  # steady: 3 of 7 in time; few: 3 leads
    ids |= create_directory(
        db_engine,
        {
            "quick": {"name": "Quick Replies", "zips": (AUSTIN,), "levels": {"security": 3}},
            "stale": {
                "name": "Stale Profile",
                "zips": (AUSTIN,),
                "levels": {"security": 3},
                "updated_days_ago": 400,
                "verified_days_ago": 370,
            },
            "almost": {
                "name": "Almost a Year",
                "zips": (AUSTIN,),
                "levels": {"security": 3},
                "updated_days_ago": 364,
            },
        },
    )
    add_leads(db_engine, ids["quick"], QUICK_LEADS)
    with session_scope(db_engine) as session:
        recompute_all(session=session, now=NOW)
        session.commit()
    return ids


def by_id(results: list) -> dict:
    return {r.partner_id: r for r in results}


def test_filter_keeps_partners_answering_half_of_five_leads_in_time(
    db_engine: Engine, world: dict[str, int]
) -> None:
    query = SearchQuery(needs=["security"], near=AUSTIN, radius_km=80, responsive=True)
    results = search_directory(engine=db_engine, query=query)
    assert [r.partner_id for r in results.results] == [world["quick"]]
    assert results.total == 1


def test_ranking_part_is_named_in_the_explanation_and_neutral_below_five_leads(
    db_engine: Engine, world: dict[str, int]
) -> None:
    index = ReadIndexHolder(engine=db_engine).get()
    query = SearchQuery(needs=["security"], near=AUSTIN, radius_km=80)
    found = by_id(search_index(index, query, now=datetime.now(UTC)).results)
    quick, steady, few = found[world["quick"]], found[world["steady"]], found[world["few"]]
    assert quick.score_parts["responsiveness"] == 5.0
    assert steady.score_parts["responsiveness"] == pytest.approx(5 * 3 / 7, abs=0.05)
    assert few.score_parts["responsiveness"] == 2.5  # neutral: fewer than 5 leads
    assert "Answers 100 % of leads within 2 business days (5 leads in 12 months)." in (
        quick.explanation
    )
    assert "Answers 43 % of leads within 2 business days (7 leads in 12 months)." in (
        steady.explanation
    )
    assert any("Fewer than 5 leads" in line for line in few.explanation)
    assert any("+ responsiveness 5.0" in line for line in quick.explanation)


def test_profile_unconfirmed_for_a_year_is_stale_and_earns_no_freshness(
    db_engine: Engine, world: dict[str, int]
) -> None:
    index = ReadIndexHolder(engine=db_engine).get()
    query = SearchQuery(needs=["security"], near=AUSTIN, radius_km=80)
    found = by_id(search_index(index, query, now=datetime.now(UTC)).results)
    stale, almost = found[world["stale"]], found[world["almost"]]
    assert stale.stale and stale.score_parts["freshness"] == 0.0
    assert any("profile not confirmed for over a year" in line for line in stale.explanation)
    assert not almost.stale and almost.score_parts["freshness"] > 0
    assert not any("over a year" in line for line in almost.explanation)
    assert not found[world["quick"]].stale


def test_confirming_by_link_clears_the_stale_mark_in_search(
    db_engine: Engine, world: dict[str, int]
) -> None:
    holder = ReadIndexHolder(engine=db_engine)
    query = SearchQuery(needs=["security"], near=AUSTIN, radius_km=80)
    now = datetime.now(UTC)
    assert by_id(search_index(holder.get(), query, now=now).results)[world["stale"]].stale
    with session_scope(db_engine) as session:
        raw = issue_still_correct_token(session=session, partner_id=world["stale"], now=now)
        session.commit()
    with session_scope(db_engine) as session:
        confirm_still_correct(session=session, raw=raw, now=now)
        session.commit()
    stale = by_id(search_index(holder.get(), query, now=now).results)[world["stale"]]
    assert not stale.stale and stale.score_parts["freshness"] == 10.0
