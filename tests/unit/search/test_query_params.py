"""Shareable search links: a query survives the trip through the URL."""

import pytest

from core.search.params import query_from_params, query_to_params
from core.search.query import QueryError, SearchQuery


def test_default_query_makes_an_empty_link():
    assert query_to_params(SearchQuery()) == {}


def test_query_round_trips_through_url_parameters():
    query = SearchQuery(
        needs=["security", "financing"],
        min_level=3,
        evidence_only=True,
        near="Austin, TX",
        radius_km=50,
        include_service_area=True,
        states=["TX", "OK"],
        region="south",
        segment="11-50",
        vendor="Cisco",
        keyword="backup",
        sort="distance",
        page=3,
    )
    params = query_to_params(query)
    assert params["needs"] == "security,financing"
    assert params["radius"] == "50"
    assert query_from_params(params) == query


def test_bad_link_values_raise_a_readable_error():
    with pytest.raises(QueryError, match="radius"):
        query_from_params({"radius": "-3"})
    with pytest.raises(QueryError, match="evidence"):
        query_from_params({"evidence": "maybe"})


def test_unknown_link_parameters_are_ignored():
    assert query_from_params({"utm_source": "mail", "needs": "cloud"}).needs == ["cloud"]
