"""Whatever is typed into "Near": a place, or UnknownPlaceError whose suggestion resolves."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from core.geo.places import UnknownPlaceError, city_suggestions, resolve_place

PIECES = [
    *["St.", "Louis", ",", " ", "'", "’", "-", "MO", "D.C.", "PR", "San Juan", "Guam", "Texas"],
    *["78701", "00901", "²", "٧٨٧٠١", "Albuqerque", "NM", ",,", "\x00", "99999-1234"],
]
typed = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=5).map("".join),
    st.text(max_size=30),
)


@given(text=typed)
def test_near_text_is_a_place_or_a_message_with_a_suggestion_that_resolves(text: str) -> None:
    try:
        place = resolve_place(text)
    except UnknownPlaceError as exc:
        assert str(exc).strip()
        if exc.suggestion is not None:
            assert resolve_place(exc.suggestion).label == exc.suggestion
    else:
        assert -90 <= place.latitude <= 90 and -180 <= place.longitude <= 180
    assert len(city_suggestions(text)) <= 10
