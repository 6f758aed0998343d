"""Plain-language formatting shared by every screen (core.formatting)."""

from __future__ import annotations

import pytest

from core.directory.profile_fields import format_value
from core.formatting import company_sizes, count_noun, format_radius_km
from core.geo.places import resolve_place
from core.search.query import SearchQuery
from core.search.text import describe_search, radius_text


def test_a_count_agrees_with_its_noun() -> None:
    assert count_noun(1, "partner") == "1 partner"
    assert count_noun(0, "partner") == "0 partners"
    assert count_noun(1200, "partner") == "1,200 partners"
    assert count_noun(2, "company", "companies") == "2 companies"


@pytest.mark.parametrize(
    ("km", "text"),
    [(150.0, "150 km"), (150, "150 km"), (12.5, "12.5 km"), (1000.0, "1,000 km"), (80.04, "80 km")],
)
def test_a_radius_shows_decimals_only_when_not_whole(km: float, text: str) -> None:
    assert format_radius_km(km) == text


def test_company_sizes_show_their_taxonomy_labels() -> None:
    assert company_sizes(["1-10", "201-1000"]) == "1–10 employees, 201–1,000 employees"
    assert company_sizes(["1000+"]) == "More than 1,000 employees"
    assert company_sizes([]) == ""


def test_the_search_explanation_names_radius_and_company_size_as_people_say_them() -> None:
    query = SearchQuery(needs=["security"], near="78701", radius_km=12.5, segment="1-10")
    text = describe_search(query, resolve_place("78701"))
    assert "within 12.5 km (about 8 miles) of Austin, TX 78701" in text
    assert "serving companies of 1–10 employees" in text
    assert radius_text(150.0) == "150 km (about 93 miles)"


def test_profile_values_show_size_labels_and_whole_radius() -> None:
    assert format_value("segments", ["1-10", "11-50"]) == "1–10 employees, 11–50 employees"
    assert format_value("service_radius_km", 150.0) == "150 km"
    assert format_value("service_radius_km", 12.5) == "12.5 km"


@pytest.mark.parametrize("text", ["²", "٣", "１２", "1²", "", " ", "-1", "+1", "1.0", "0x1"])
def test_only_ascii_digits_make_a_whole_number(text):
    from core.formatting import is_ascii_whole_number, parse_whole_number

    assert not is_ascii_whole_number(text.strip())
    with pytest.raises(ValueError, match="digits 0-9"):
        parse_whole_number(text)


def test_a_5000_digit_number_is_refused_with_a_sentence_not_an_int_error():
    from core.formatting import parse_whole_number

    with pytest.raises(ValueError, match="too long"):
        parse_whole_number("7" * 5000)
    assert parse_whole_number(" 042 ") == 42
