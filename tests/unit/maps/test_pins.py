"""Where the regional map pins a matching partner (core.maps.pins): at the office that matched."""

from __future__ import annotations

from datetime import date

import numpy as np

from core.geo.places import Place
from core.maps.data import marker_rows
from core.maps.detail import partner_layer_data
from core.maps.layers import DetailPlan
from core.maps.pins import PinPositions
from core.search.index import ReadIndex
from core.search.query import SearchQuery
from core.search.ranking import match_partners
from tests.unit.hand_made_index import hand_made_index

AUSTIN = Place("Austin, TX", 30.2672, -97.7431, "TX", None)
FAR_HQ = (32.97, -97.7431)  # 300 km north of Austin
BRANCH = (30.3211, -97.7431)  # 6 km north of Austin
EAST = (30.2721, -97.6868)  # 5.4 km east of Austin
SAN_ANTONIO = (29.4241, -98.4936)  # 120 km away
RADIUS_KM = 25.0


def offices_index() -> ReadIndex:
    """Partner 0: headquarters 300 km away, a branch 6 km from Austin. Partner 1: two offices in
    Austin. Partner 2: San Antonio only, serving Texas (matches through its service area)."""
    locations = [(0, *FAR_HQ), (0, *BRANCH), (1, *EAST), (1, *BRANCH), (2, *SAN_ANTONIO)]
    loc_row = np.asarray([r for r, _, _ in locations], dtype=np.int32)
    loc_lat = np.asarray([a for _, a, _ in locations])
    loc_lon = np.asarray([o for _, _, o in locations])
    first = [0, 2, 4]
    texas = np.uint64(1) << np.uint64(43)  # any bit: states do not matter here
    return hand_made_index(
        hq_latitude=loc_lat[first],
        hq_longitude=loc_lon[first],
        hq_city=["Far, TX", "Austin, TX", "San Antonio, TX"],
        built_for_day=date(2026, 1, 1),
        names=["Far HQ Partner", "Two Offices", "Service Area"],
        loc_row=loc_row,
        loc_latitude=loc_lat,
        loc_longitude=loc_lon,
        loc_state=np.zeros(loc_row.size, dtype=np.int8),
        location_states=np.full(3, texas),
        service_radius_km=np.asarray([0.0, 0.0, 200.0], dtype=np.float32),
    )


def pins_of(index: ReadIndex, query: SearchQuery) -> dict[str, list[tuple[float, float, str]]]:
    """The map's markers for the search around Austin: (lat, lon, distance) by partner name."""
    matches = match_partners(index, query, AUSTIN)
    positions = PinPositions.of(index, matches, AUSTIN, query.radius_km)
    data = partner_layer_data(
        DetailPlan("markers", None), index=index, query=query, matches=matches, positions=positions
    )
    out: dict[str, list[tuple[float, float, str]]] = {}
    for lat, lon, _id, name, _city, distance, _coverage in data.markers or []:
        out.setdefault(name, []).append((lat, lon, distance))
    return out


def test_a_partner_whose_branch_is_near_the_place_is_pinned_at_the_branch_not_its_hq():
    pins = pins_of(offices_index(), SearchQuery(near="Austin, TX", radius_km=RADIUS_KM))
    assert [(lat, lon) for lat, lon, _ in pins["Far HQ Partner"]] == [BRANCH]
    assert pins["Far HQ Partner"][0][2] == "nearest office 6.0 km away"


def test_every_office_inside_the_radius_gets_a_pin_with_its_own_distance():
    pins = pins_of(offices_index(), SearchQuery(near="Austin, TX", radius_km=RADIUS_KM))
    assert sorted((lat, lon) for lat, lon, _ in pins["Two Offices"]) == sorted([EAST, BRANCH])
    assert sorted(distance for *_, distance in pins["Two Offices"]) == sorted(
        ["nearest office 5.4 km away", "nearest office 6.0 km away"]
    )


def test_a_partner_matched_through_its_service_area_is_pinned_at_its_nearest_office():
    query = SearchQuery(near="Austin, TX", radius_km=RADIUS_KM, include_service_area=True)
    pins = pins_of(offices_index(), query)
    assert [(lat, lon) for lat, lon, _ in pins["Service Area"]] == [SAN_ANTONIO]


def test_without_a_place_every_partner_is_pinned_once_at_its_headquarters():
    index = offices_index()
    matches = match_partners(index, SearchQuery(), None)
    rows = marker_rows(index, SearchQuery(), matches, DetailPlan("markers", None))
    assert [(r[0], r[1], r[3]) for r in rows] == [
        (*FAR_HQ, "Far HQ Partner"),
        (*EAST, "Two Offices"),
        (*SAN_ANTONIO, "Service Area"),
    ]


def test_the_selected_partners_popup_opens_at_the_clicked_branch_not_its_headquarters():
    from core.maps.build import build_regional_base_map, build_selection_layer, render_map_html

    locations = [(*FAR_HQ, "Far HQ Partner"), (*BRANCH, "Far HQ Partner")]
    layer = build_selection_layer(
        locations=locations,
        service_radius_km=None,
        states_served=[],
        popup_html="<b>Far HQ Partner</b>",
        popup_near=BRANCH,
    )
    html = render_map_html(build_regional_base_map(choropleth=None), [layer])
    assert f".setLatLng([{BRANCH[0]}, {BRANCH[1]}])" in html
    assert f".setLatLng([{FAR_HQ[0]}, {FAR_HQ[1]}])" not in html
