"""Behaviour of core.geo against the real packaged ZIP and boundary data."""

from __future__ import annotations

import gc
import itertools
import json

import numpy as np
import pytest

from core.geo import places as geo
from core.geo import shapes as geo_shapes
from core.geo.distance import haversine_km
from core.geo.places import UnknownPlaceError
from core.geo.states import STATE_NAMES
from core.geo.zip_data import CITY_NAME_CORRECTIONS, state_centroids, zip_places, zip_records

AUSTIN = (30.2672, -97.7431)
DALLAS = (32.7767, -96.7970)
# Continental US plus Alaska and Hawaii, generously.
US_LAT = (18.0, 72.0)
US_LON = (-180.0, -65.0)


def _rings(geometry: dict) -> list[list[list[float]]]:
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    return [ring for polygon in polygons for ring in polygon]


# --------------------------------------------------------------------------- ZIPs and cities


def test_zip_resolves_to_its_city_and_coordinates() -> None:
    place = geo.resolve_place("78701")

    assert place.label == "Austin, TX 78701"
    assert place.state == "TX"
    assert place.zip_code == "78701"
    assert place.latitude == pytest.approx(30.27, abs=0.02)
    assert place.longitude == pytest.approx(-97.74, abs=0.02)


@pytest.mark.parametrize("text", ["78701-1234", "78701 1234", " 78701 ", "Austin, TX 78701"])
def test_zip_plus_four_and_padded_zip_resolve_to_the_five_digit_zip(text: str) -> None:
    assert geo.resolve_place(text).zip_code == "78701"


def test_lookup_zip_returns_none_for_unknown_or_malformed_zip() -> None:
    assert geo.lookup_zip("00000") is None
    assert geo.lookup_zip("7870") is None
    assert geo.lookup_zip("78701-1234") == geo.lookup_zip("78701")


@pytest.mark.parametrize("text", ["austin,  tx", "Austin, TX", "AUSTIN TX", "Austin, Texas"])
def test_city_and_state_resolve_case_and_space_insensitively(text: str) -> None:
    place = geo.resolve_place(text)

    assert place.label == "Austin, TX"
    assert place.state == "TX"
    assert place.zip_code is None
    # The mean of Austin's ZIPs lies within a few km of downtown.
    assert haversine_km(place.latitude, place.longitude, *AUSTIN) < 15


def test_saint_abbreviations_resolve_to_the_same_city() -> None:
    spelled_out = geo.resolve_place("Saint Louis, MO")

    assert geo.resolve_place("St. Louis, MO") == spelled_out
    assert geo.resolve_place("st louis mo") == spelled_out
    assert geo.resolve_place("Ft Worth, TX").label == "Fort Worth, TX"


def test_unknown_zip_raises_with_the_zip_in_the_message() -> None:
    with pytest.raises(UnknownPlaceError, match="ZIP code 00000 was not found"):
        geo.resolve_place("00000")


def test_unknown_city_raises_with_the_input_in_the_message() -> None:
    with pytest.raises(UnknownPlaceError, match='"Xyzzyville, TX"'):
        geo.resolve_place("Xyzzyville, TX")


def test_misspelled_city_message_suggests_the_close_match() -> None:
    with pytest.raises(UnknownPlaceError, match='Did you mean "Austin, TX"'):
        geo.resolve_place("Austn, TX")


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_empty_text_raises(text: str) -> None:
    with pytest.raises(UnknownPlaceError, match="ZIP code"):
        geo.resolve_place(text)


@pytest.mark.parametrize("text", ["Austin, XX", "Austin XX"])
def test_bad_state_code_raises_naming_the_code(text: str) -> None:
    with pytest.raises(UnknownPlaceError, match='"XX" is not a US state'):
        geo.resolve_place(text)


def test_city_in_several_states_asks_for_the_state() -> None:
    with pytest.raises(UnknownPlaceError, match="Add the state"):
        geo.resolve_place("Springfield")


def test_too_short_zip_explains_the_format() -> None:
    with pytest.raises(UnknownPlaceError, match="5 digits"):
        geo.resolve_place("7870")


def test_unknown_place_error_is_a_value_error() -> None:
    assert issubclass(UnknownPlaceError, ValueError)


def test_city_suggestions_put_the_biggest_match_first() -> None:
    suggestions = geo.city_suggestions("aus")

    assert suggestions[0] == "Austin, TX"
    assert len(suggestions) == 10
    assert all(s.lower().startswith("aus") for s in suggestions)


def test_city_suggestions_respect_limit_state_filter_and_empty_prefix() -> None:
    assert len(geo.city_suggestions("spring", limit=3)) == 3
    assert geo.city_suggestions("austin, m") == ["Austin, MN"]
    assert geo.city_suggestions("st. lou", limit=1) == ["Saint Louis, MO"]
    assert geo.city_suggestions("") == []
    assert geo.city_suggestions("zzzzqq") == []


# --------------------------------------------------------------------------- distances


def test_haversine_austin_to_dallas_is_about_292_km() -> None:
    assert haversine_km(*AUSTIN, *DALLAS) == pytest.approx(292, abs=5)


def test_haversine_is_zero_for_the_same_point_and_returns_a_float() -> None:
    distance = haversine_km(*AUSTIN, *AUSTIN)

    assert isinstance(distance, float)
    assert distance == 0.0


def test_haversine_broadcasts_over_arrays() -> None:
    lats = np.array([AUSTIN[0], DALLAS[0]])
    lons = np.array([AUSTIN[1], DALLAS[1]])

    one_to_many = haversine_km(*AUSTIN, lats, lons)
    matrix = haversine_km(lats[:, None], lons[:, None], lats[None, :], lons[None, :])

    assert isinstance(one_to_many, np.ndarray)
    assert one_to_many.shape == (2,)
    assert one_to_many[0] == pytest.approx(0.0)
    assert one_to_many[1] == pytest.approx(292, abs=5)
    assert matrix.shape == (2, 2)
    np.testing.assert_allclose(matrix, matrix.T)


# --------------------------------------------------------------------------- proper names


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("McAllen, TX", "McAllen, TX"),  # the data says "Mcallen"
        ("mckinney tx", "McKinney, TX"),
        ("Fort Mcdowell, AZ", "Fort McDowell, AZ"),
        ("Macon, GA", "Macon, GA"),  # not every "Mac…" is MacX
        ("Machias, ME", "Machias, ME"),
        ("Mackinaw City, MI", "Mackinaw City, MI"),
        ("Winston Salem, NC", "Winston-Salem, NC"),
        ("Wilkes Barre, PA", "Wilkes-Barre, PA"),
        ("Hastings on Hudson, NY", "Hastings-on-Hudson, NY"),
    ],
)
def test_city_labels_use_the_proper_names(text: str, label: str) -> None:
    assert geo.resolve_place(text).label == label


def test_zip_labels_and_suggestions_use_the_proper_names() -> None:
    assert geo.resolve_place("78501").label == "McAllen, TX 78501"
    assert geo.resolve_place("27101").label == "Winston-Salem, NC 27101"
    assert geo.city_suggestions("winston s", limit=1) == ["Winston-Salem, NC"]
    assert "Winston-Salem" in set(zip_places()["city"])


def test_a_proper_name_resolves_when_typed_or_pasted_back() -> None:
    assert geo.resolve_place("Winston-Salem, NC").label == "Winston-Salem, NC"
    assert geo.resolve_place("Wilkes-Barre PA").label == "Wilkes-Barre, PA"
    assert geo.resolve_place("McAllen, TX 78501").label == "McAllen, TX 78501"


def test_every_name_correction_is_a_city_of_the_zip_data() -> None:
    known = {
        (" ".join(r["city"].replace("-", " ").casefold().split()), r["state"])
        for r in zip_records()
    }
    assert set(CITY_NAME_CORRECTIONS) <= known


# --------------------------------------------------------------------------- ZIP table


def test_zip_places_holds_active_standard_zips_of_the_51_codes() -> None:
    places = zip_places()

    assert list(places.columns) == ["zip_code", "city", "state", "latitude", "longitude"]
    # 29,672 active street-delivery ZIPs with coordinates in zipcodes 3.0.0.
    assert len(places) > 29_000
    assert set(places["state"]) == set(STATE_NAMES)
    assert places["zip_code"].is_unique
    assert places[["latitude", "longitude"]].notna().all().all()
    assert places["latitude"].between(*US_LAT).all()
    assert places["longitude"].between(*US_LON).all()
    assert "78701" in set(places["zip_code"])


def test_zip_places_returns_a_copy_callers_may_modify() -> None:
    places = zip_places()
    places["scratch"] = 1

    assert "scratch" not in zip_places().columns


def test_state_names_cover_50_states_and_dc() -> None:
    assert len(STATE_NAMES) == 51
    assert STATE_NAMES["TX"] == "Texas"
    assert STATE_NAMES["DC"] == "District of Columbia"


def test_state_centroids_has_51_entries_inside_the_us() -> None:
    centroids = state_centroids()

    assert set(centroids) == set(STATE_NAMES)
    for lat, lon in centroids.values():
        assert US_LAT[0] <= lat <= US_LAT[1]
        assert US_LON[0] <= lon <= US_LON[1]
    assert geo_shapes.state_of_point(*centroids["TX"]) == "TX"


# --------------------------------------------------------------------------- boundaries


def test_boundaries_have_one_feature_per_state_with_code_and_name() -> None:
    collection = geo_shapes.state_boundaries_geojson()

    assert collection["type"] == "FeatureCollection"
    features = collection["features"]
    assert len(features) == 51
    assert {f["properties"]["code"] for f in features} == set(STATE_NAMES)
    for feature in features:
        code = feature["properties"]["code"]
        assert feature["properties"]["name"] == STATE_NAMES[code]


@pytest.mark.parametrize(("precision", "max_bytes"), [(2, 3_000_000), (1, 600_000)])
def test_boundaries_json_stays_small(precision: int, max_bytes: int) -> None:
    size = len(json.dumps(geo_shapes.state_boundaries_geojson(precision=precision)))

    assert size < max_bytes


@pytest.mark.parametrize("precision", [1, 2])
def test_boundary_geometries_are_valid_polygons_with_closed_rings(precision: int) -> None:
    for feature in geo_shapes.state_boundaries_geojson(precision=precision)["features"]:
        geometry = feature["geometry"]
        assert geometry["type"] in {"Polygon", "MultiPolygon"}
        rings = _rings(geometry)
        assert rings, feature["properties"]["code"]
        for ring in rings:
            assert len(ring) >= 4
            assert ring[0] == ring[-1]
            assert all(a != b for a, b in itertools.pairwise(ring))
            assert all(round(c, precision) == c for point in ring[:50] for c in point)


def test_boundaries_are_cached_per_precision() -> None:
    assert geo_shapes.state_boundaries_geojson() is geo_shapes.state_boundaries_geojson(precision=2)
    assert (
        geo_shapes.state_boundaries_geojson(precision=1)
        is not geo_shapes.state_boundaries_geojson()
    )


def test_boundaries_reject_unreasonable_precision() -> None:
    with pytest.raises(ValueError, match="precision"):
        geo_shapes.state_boundaries_geojson(precision=9)


@pytest.mark.parametrize(
    ("latitude", "longitude", "expected"),
    [
        (30.27, -97.74, "TX"),  # Austin
        (38.8977, -77.0365, "DC"),  # the White House
        (21.3069, -157.8583, "HI"),  # Honolulu, on an island
        (61.2181, -149.9003, "AK"),  # Anchorage
        (40.7128, -74.0060, "NY"),  # Manhattan
        (25.0, -90.0, None),  # Gulf of Mexico
        (45.0, -30.0, None),  # mid-Atlantic
        (45.5, -73.6, None),  # Montreal
    ],
)
def test_state_of_point_finds_the_containing_state(
    latitude: float, longitude: float, expected: str | None
) -> None:
    assert geo_shapes.state_of_point(latitude, longitude) == expected


def test_every_zip_city_resolves_to_its_state_polygon_for_a_sample() -> None:
    sample = zip_places().sample(200, random_state=7)
    # ZIP centroids near coasts and borders may fall outside ~1 km boundaries; allow a few.
    matches = sum(
        geo_shapes.state_of_point(row.latitude, row.longitude) == row.state
        for row in sample.itertuples()
    )
    assert matches >= 190


def test_bulk_builds_leave_the_garbage_collector_enabled() -> None:
    geo_shapes.state_boundaries_geojson(precision=3)

    assert gc.isenabled()
