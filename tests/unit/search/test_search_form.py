"""The Find partners form: query <-> widget values <-> URL, without a browser."""

from __future__ import annotations

from core.search.form import form_values, lenient_query_from_params, query_fields
from core.search.params import query_to_params
from core.search.query import SearchQuery, parse_query

PREFIX = "find_"


def test_a_query_survives_the_round_trip_through_the_widgets():
    query = SearchQuery(needs=["security", "financing"], near="Austin, TX", radius_km=120,
                        include_service_area=True, segment="11-50", min_level=3,
                        evidence_only=True, keyword="law firms", states=["TX"],
                        vendor="Cisco", sort="distance", page=2)  # fmt: skip
    values = form_values(query, prefix=PREFIX)
    assert values["find_need_security"] is True and values["find_need_cloud"] is False
    assert parse_query(query_fields(values, prefix=PREFIX)) == query


def test_empty_choices_mean_any():
    values = form_values(SearchQuery(), prefix=PREFIX)
    assert values["find_size"] == values["find_vendor"] == values["find_region"] == ""
    assert parse_query(query_fields(values, prefix=PREFIX)) == SearchQuery()


def test_radius_shown_in_whole_kilometres_within_bounds():
    assert form_values(SearchQuery(radius_km=0.4), prefix=PREFIX)["find_radius"] == 1
    assert form_values(SearchQuery(radius_km=49.6), prefix=PREFIX)["find_radius"] == 50


def test_a_link_with_one_bad_value_keeps_the_rest_and_names_the_problem():
    query, problems, _ignored = lenient_query_from_params(
        {"needs": "security", "near": "78701", "radius": "5000", "level": "9", "utm": "x"}
    )
    assert query == SearchQuery(needs=["security"], near="78701")
    assert len(problems) == 2
    assert "between 1 and 800 km" in problems[0] and "5000" in problems[0]
    assert "level must be 1" in problems[1]


def test_unknown_needs_in_a_link_are_ignored_one_by_one_and_the_known_ones_kept():
    query, problems, ignored = lenient_query_from_params({"needs": "foo,security"})
    assert query.needs == ["security"]
    assert problems == []
    assert [i.notice for i in ignored] == ["Ignored unknown need “foo” from the link."]


def test_unknown_states_and_company_size_in_a_link_are_ignored_with_a_notice():
    query, problems, ignored = lenient_query_from_params(
        {"states": "tx,ZZ, OK", "size": "huge", "needs": "nope,cloud"}
    )
    assert query.states == ["OK", "TX"]
    assert query.segment is None
    assert query.needs == ["cloud"]
    assert problems == []
    assert [i.notice for i in ignored] == [
        "Ignored unknown state “ZZ” from the link.",
        "Ignored unknown company size “huge” from the link.",
        "Ignored unknown need “nope” from the link.",
    ]


def test_a_clean_link_round_trips():
    query = SearchQuery(needs=["cloud"], near="78701", radius_km=30, page=3)
    assert lenient_query_from_params(query_to_params(query)) == (query, [], [])
