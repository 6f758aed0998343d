"""Per-state aggregates behind the regional map's choropleth, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np
from sqlalchemy import Engine
from sqlmodel import Session

from core.analytics.coverage import (
    evidenced_per_state,
    hq_states,
    partners_per_state,
    state_values,
    unmet_demand_per_state,
)
from core.analytics.regional import unmet_demand
from core.models import TEAM_KIND, SearchEvent, utc_now
from core.search.index import STATE_CODES, build_read_index
from core.search.query import SearchQuery
from core.search.ranking import match_partners
from tests.public_directory import AUSTIN, DALLAS, create_directory

OKLAHOMA_CITY, NEW_YORK = "73102", "10001"

PARTNERS: dict[str, dict[str, Any]] = {
    # Offices in Texas and Oklahoma: counts in both states.
    "two_states": {
        "name": "Red River Networks",
        "zips": (DALLAS, OKLAHOMA_CITY),
        "levels": {"security": 3},
        "certs": ("fortinet-nse4",),
    },
    "claims_only": {"name": "Austin Claims", "zips": (AUSTIN,), "levels": {"security": 3}},
    "expired": {
        "name": "Austin Lapsed",
        "zips": (AUSTIN,),
        "levels": {"security": 2},
        "expired": ("fortinet-nse4",),
    },
    "new_york": {
        "name": "Gotham Cloud",
        "zips": (NEW_YORK,),
        "levels": {"cloud": 3, "security": 2},
        "certs": ("fortinet-nse4",),
    },
}


def build_directory(engine: Engine) -> dict[str, int]:
    return create_directory(engine, PARTNERS)


def test_matching_partners_are_counted_in_every_state_where_they_have_a_location(db_engine):
    build_directory(db_engine)
    index = build_read_index(db_engine)
    matches = match_partners(index, SearchQuery(needs=["security"], min_level=3), None)
    counts = state_values(partners_per_state(index, matches.rows))
    assert {code: n for code, n in counts.items() if n} == {"TX": 2, "OK": 1}
    everyone = state_values(partners_per_state(index, np.arange(index.size)))
    assert (everyone["TX"], everyone["OK"], everyone["NY"]) == (3, 1, 1)


def test_only_valid_certifications_count_as_evidence_in_a_domain(db_engine):
    build_directory(db_engine)
    index = build_read_index(db_engine)
    counts = state_values(evidenced_per_state(index, "security"))
    # Claims alone and an expired certificate are not evidence.
    assert {code: n for code, n in counts.items() if n} == {"TX": 1, "OK": 1, "NY": 1}
    assert not evidenced_per_state(index, "cloud").any()
    only_new_york = evidenced_per_state(index, "security", rows=np.array([index.size - 1]))
    assert state_values(only_new_york)["NY"] == 1 and only_new_york.sum() == 1


def test_headquarters_state_is_the_first_location(db_engine):
    ids = build_directory(db_engine)
    index = build_read_index(db_engine)
    row = int(index.rows_of([ids["two_states"]])[0])
    assert STATE_CODES[hq_states(index)[row]] == "TX"


def test_unmet_demand_counts_recent_searches_with_few_results_per_state(db_engine):
    now = utc_now()
    events = [
        ("TX", ["security"], 0, 1),
        ("TX", ["security", "cloud"], 2, 5),
        ("TX", ["cloud"], 1, 10),
        ("TX", ["security"], 3, 1),  # found enough partners
        ("OK", ["iot"], 0, 200),  # too long ago
        ("NY", ["iot"], 1, 2),
        (None, ["security"], 0, 1),  # no place, no state
    ]
    with Session(db_engine) as session:
        for state, needs, found, days_ago in events:
            session.add(
                SearchEvent(
                    at=now - timedelta(days=days_ago),
                    needs=needs,
                    state=state,
                    result_count=found,
                )
            )
        # A team search's result_count counts teams: "fewer than 3 partners" never reads it.
        session.add(SearchEvent(at=now, needs=["security"], state="NY", result_count=1,
                                kind=TEAM_KIND))  # fmt: skip
        session.commit()
    since = now - timedelta(days=90)
    counts = state_values(unmet_demand_per_state(engine=db_engine, since=since, below=3))
    assert {code: n for code, n in counts.items() if n} == {"TX": 3, "NY": 1}
    security = unmet_demand_per_state(engine=db_engine, since=since, below=3, needs=["security"])
    assert {code: n for code, n in state_values(security).items() if n} == {"TX": 2}
    strict = unmet_demand_per_state(engine=db_engine, since=since, below=1)
    assert state_values(strict)["TX"] == 1
    with Session(db_engine) as session:
        regional = unmet_demand(session=session, states=("NY",), since=since, below=3)
    assert dict(zip(regional["area_key"], regional["searches"], strict=True)) == {"iot": 1}
