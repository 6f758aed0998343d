"""Issue 13's profile fields as search filters, through the search service, on SQLite and
PostgreSQL: industries served, languages, delivery and accepting new clients."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from core.search.index import build_read_index
from core.search.params import query_from_params, query_to_params
from core.search.query import QueryError, SearchQuery
from core.search.ranking import search_index
from tests.public_directory import AUSTIN, DALLAS, create_directory

PARTNERS: dict[str, dict[str, Any]] = {
    "clinic_it": {
        "name": "Clinic IT",
        "zips": (AUSTIN,),
        "levels": {"security": 2},
        "attributes": {
            "industries": ["healthcare", "legal"],
            "languages": ["en", "es"],
            "delivery": "on_site",
        },
    },
    "remote_law": {
        "name": "Remote Law Tech",
        "zips": (DALLAS,),
        "levels": {"security": 2},
        "attributes": {
            "industries": ["legal"],
            "languages": ["en", "vi"],
            "delivery": "remote",
            "accepting_new_clients": False,
        },
    },
    "both_ways": {
        "name": "Both Ways MSP",
        "zips": (AUSTIN,),
        "levels": {"security": 2},
        "attributes": {"industries": ["retail"], "languages": ["en"], "delivery": "both"},
    },
    "unstated": {"name": "Plain Partner", "zips": (DALLAS,), "levels": {"security": 2}},
}


@pytest.fixture
def found(db_engine: Engine):  # type: ignore[no-untyped-def]
    ids = create_directory(db_engine, PARTNERS)
    index = build_read_index(db_engine)
    by_id = {v: k for k, v in ids.items()}

    def search(**fields: Any) -> set[str]:
        results = search_index(index, SearchQuery(page_size=50, **fields))
        return {by_id[r.partner_id] for r in results.results}

    return search


def test_industries_must_all_be_served(found) -> None:  # type: ignore[no-untyped-def]
    assert found(industries=["legal"]) == {"clinic_it", "remote_law"}
    assert found(industries=["legal", "healthcare"]) == {"clinic_it"}
    assert found(industries=["government"]) == set()


def test_languages_must_all_be_spoken(found) -> None:  # type: ignore[no-untyped-def]
    assert found(languages=["en"]) == {"clinic_it", "remote_law", "both_ways"}
    assert found(languages=["es"]) == {"clinic_it"}
    assert found(languages=["es", "vi"]) == set()


def test_delivery_both_matches_remote_and_on_site(found) -> None:  # type: ignore[no-untyped-def]
    assert found(delivery="remote") == {"remote_law", "both_ways"}
    assert found(delivery="on_site") == {"clinic_it", "both_ways"}
    assert found() == set(PARTNERS)  # a partner that states nothing is still found by default


def test_accepting_only_leaves_out_partners_not_taking_clients(found) -> None:  # type: ignore[no-untyped-def]
    assert found(accepting_only=True) == {"clinic_it", "both_ways", "unstated"}


def test_results_carry_the_fields_for_the_cards(db_engine: Engine) -> None:
    ids = create_directory(db_engine, PARTNERS)
    index = build_read_index(db_engine)
    results = search_index(index, SearchQuery(industries=["healthcare"]))
    (clinic,) = results.results
    assert clinic.partner_id == ids["clinic_it"]
    assert (clinic.industries, clinic.languages) == (["healthcare", "legal"], ["en", "es"])
    assert (clinic.delivery, clinic.accepting_new_clients) == ("on_site", True)


def test_the_filters_travel_in_the_url() -> None:
    query = SearchQuery(
        industries=["legal", "healthcare"], languages=["es"], delivery="remote", accepting_only=True
    )
    params = query_to_params(query)
    assert params == {
        "industries": "healthcare,legal",
        "languages": "es",
        "delivery": "remote",
        "accepting": "1",
    }
    assert query_from_params(params) == query
    with pytest.raises(QueryError):
        query_from_params({"delivery": "teleport"})
    with pytest.raises(QueryError):
        query_from_params({"industries": "astrology"})
