"""Places as people type them: punctuation, spacing, DC, the territories, and misspellings
that come back with one suggestion to click."""

from __future__ import annotations

import pytest

from core.geo.places import UnknownPlaceError, city_suggestions, lookup_zip, resolve_place
from core.geo.states import parse_state


@pytest.mark.parametrize(
    ("typed", "label"),
    [
        ("St. Louis, MO", "Saint Louis, MO"),
        ("saint louis mo", "Saint Louis, MO"),
        ("  st.  louis ,, mo ", "Saint Louis, MO"),
        ("Coeur d'Alene", "Coeur d'Alene, ID"),
        ("Coeur d’Alene, ID", "Coeur d'Alene, ID"),
        ("coeur d alene id", "Coeur d'Alene, ID"),
        ("Winston-Salem", "Winston-Salem, NC"),
        ("winston salem, nc", "Winston-Salem, NC"),
        ("Wilkes-Barre", "Wilkes-Barre, PA"),
        ("O'Fallon, MO", "O'Fallon, MO"),
        ("o fallon il", "O'Fallon, IL"),
        ("Austin, TX,", "Austin, TX"),
        ("AUSTIN , texas", "Austin, TX"),
        ("Ft. Worth, TX", "Fort Worth, TX"),
        ("Washington DC", "Washington, DC"),
        ("Washington, D.C.", "Washington, DC"),
        ("washington d.c.", "Washington, DC"),
        ("D.C.", "Washington, DC"),
        ("San Juan, PR", "San Juan, PR"),
        ("san juan puerto rico", "San Juan, PR"),
        ("Hagatna, GU", "Hagatna, GU"),
        ("Guam", "Guam"),
        ("Charlotte Amalie, VI", "Charlotte Amalie, VI"),
        ("St. Thomas, USVI", "St Thomas, VI"),
    ],
)
def test_places_resolve_as_people_type_them(typed: str, label: str) -> None:
    assert resolve_place(typed).label == label


def test_territory_zip_codes_are_places() -> None:
    san_juan, guam = lookup_zip("00901"), lookup_zip("96910")
    assert san_juan is not None and san_juan.state == "PR"
    assert guam is not None and guam.state == "GU"
    assert city_suggestions("san juan, p") == ["San Juan, PR"]


def test_territories_are_places_but_not_directory_states() -> None:
    assert parse_state("Puerto Rico", territories=True) == "PR"
    assert parse_state("PR") is None  # states_served and the maps stay 50 states + DC
    assert parse_state("D. C.") == "DC"


@pytest.mark.parametrize(
    ("typed", "suggestion"),
    [
        ("Albuqerque, NM", "Albuquerque, NM"),
        ("Albuqerque", "Albuquerque, NM"),
        ("Pittsburg, PA", "Pittsburgh, PA"),
        ("Saint Louis", "Saint Louis, MO"),  # in three states: the biggest first
        ("Texas", "Houston, TX"),  # a whole state: its biggest city
    ],
)
def test_a_misspelled_or_too_wide_place_comes_with_one_suggestion(
    typed: str, suggestion: str
) -> None:
    with pytest.raises(UnknownPlaceError) as caught:
        resolve_place(typed)
    assert caught.value.suggestion == suggestion
    assert suggestion in str(caught.value)
    assert resolve_place(suggestion).label == suggestion  # one click, and it resolves


def test_nonsense_has_no_suggestion() -> None:
    with pytest.raises(UnknownPlaceError) as caught:
        resolve_place("xyzzyq")
    assert caught.value.suggestion is None
