"""Regional map in core: level of detail, aggregation, clicks, view state and generated HTML."""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pytest

from core.analytics.coverage import partners_per_state
from core.maps.build import (
    build_partner_area_map,
    build_partner_layer,
    build_regional_base_map,
    build_selection_layer,
    render_map_html,
)
from core.maps.data import marker_rows, selected_partner
from core.maps.layers import (
    MARKER_LIMIT,
    DetailPlan,
    MapView,
    ViewState,
    data_window,
    grid_bubbles,
    nearest_partner_row,
    needs_new_data,
    plan_detail,
    state_bubbles,
)
from core.maps.regions import Choropleth, choropleth_steps, region_outline
from core.search.index import STATE_CODES, ReadIndex, state_mask
from core.search.query import SearchQuery
from core.search.ranking import Matches
from core.taxonomy import get_taxonomy
from tests.unit.hand_made_index import hand_made_index

AUSTIN = (30.2672, -97.7431)
DALLAS = (32.7767, -96.7970)


def make_index(
    points: list[tuple[float, float, str]],
    *,
    names: list[str] | None = None,
    levels: dict[str, tuple[int, int]] | None = None,
    radius_km: float = 0.0,
    served: tuple[str, ...] = (),
) -> ReadIndex:
    """A read index with one location (the headquarters) per partner at (lat, lon, state)."""
    taxonomy = get_taxonomy()
    n, areas = len(points), len(taxonomy.area_keys)
    claimed = np.zeros((n, areas), dtype=np.int8)
    evidenced = np.zeros((n, areas), dtype=np.int8)
    for key, (claim, evidence) in (levels or {}).items():
        claimed[:, taxonomy.area_keys.index(key)] = claim
        evidenced[:, taxonomy.area_keys.index(key)] = evidence
    lat = np.asarray([p[0] for p in points], dtype=float)
    lon = np.asarray([p[1] for p in points], dtype=float)
    state_idx = np.asarray([STATE_CODES.index(p[2]) for p in points], dtype=np.int8)
    return hand_made_index(
        hq_latitude=lat,
        hq_longitude=lon,
        hq_city=[f"City {p[2]}, {p[2]}" for p in points],
        built_for_day=date(2026, 1, 1),
        names=names or None,
        claimed=claimed,
        evidenced=evidenced,
        service_radius_km=np.full(n, radius_km, dtype=np.float32),
        states_served=np.full(n, state_mask(served), dtype=np.uint64),
        location_states=np.left_shift(np.uint64(1), state_idx.astype(np.uint64)),
        loc_state=state_idx,
    )


def scattered(n: int, center: tuple[float, float], spread: float, state: str, seed: int = 1):
    rng = np.random.default_rng(seed)
    lat = center[0] + rng.uniform(-spread, spread, n)
    lon = center[1] + rng.uniform(-spread, spread, n)
    return [(float(a), float(o), state) for a, o in zip(lat, lon, strict=True)]


def all_rows(index: ReadIndex) -> Matches:
    return Matches(rows=np.arange(index.size), distance_km=None, via_service_area=None)


def view_around(center: tuple[float, float], half: float, zoom: int) -> MapView:
    return MapView(center[0] - half, center[1] - half, center[0] + half, center[1] + half, zoom)


# ---- level of detail -------------------------------------------------------------------------


def test_few_matching_partners_are_sent_as_single_markers_whatever_the_view():
    lat, lon = np.array([30.0, 40.0]), np.array([-97.0, -80.0])
    assert plan_detail(lat, lon, None) == DetailPlan("markers", None)
    assert plan_detail(lat, lon, view_around(AUSTIN, 0.1, 12)) == DetailPlan("markers", None)


def test_many_partners_show_as_state_totals_until_the_view_is_zoomed_in():
    rng = np.random.default_rng(0)
    lat = rng.uniform(30, 45, MARKER_LIMIT * 3)
    lon = rng.uniform(-120, -75, MARKER_LIMIT * 3)
    assert plan_detail(lat, lon, None).level == "states"
    assert plan_detail(lat, lon, view_around((38, -97), 12, 4)).level == "states"
    dense = view_around((38, -97), 8, 7)
    grid = plan_detail(lat, lon, dense)
    assert grid.level == "grid" and grid.covers(dense)
    sparse = view_around((38, -97), 0.3, 10)
    markers = plan_detail(lat, lon, sparse)
    assert markers.level == "markers" and markers.window is not None and markers.covers(sparse)


def test_data_window_pads_the_view_so_a_small_pan_needs_no_new_data():
    rng = np.random.default_rng(0)
    lat, lon = rng.uniform(37, 39, 5000), rng.uniform(-98, -96, 5000)
    view = view_around((38, -97), 0.5, 8)
    changed, plan = needs_new_data(None, view, lat, lon)
    assert changed and plan.level == "grid"
    south, west, north, east = data_window(view)
    assert south < view.south and north > view.north and west < view.west and east > view.east
    nudged = MapView(view.south + 0.05, view.west + 0.05, view.north + 0.05, view.east + 0.05, 8)
    assert needs_new_data(plan, nudged, lat, lon) == (False, plan)
    far = view_around((38, -94), 0.5, 8)
    changed, moved = needs_new_data(plan, far, lat, lon)
    assert changed and moved.covers(far)
    changed, deeper = needs_new_data(plan, view_around((38, -97), 0.25, 9), lat, lon)
    assert changed and deeper.zoom == 9


def test_grid_cells_count_every_partner_in_the_window_once_and_stay_put_when_panning():
    rng = np.random.default_rng(3)
    lat, lon = rng.uniform(37.5, 38.5, 4000), rng.uniform(-97.5, -96.5, 4000)
    plan = DetailPlan("grid", (37.0, -98.0, 39.0, -96.0), 8)
    bubbles = grid_bubbles(lat, lon, plan)
    assert sum(b.count for b in bubbles) == 4000
    shifted = grid_bubbles(lat, lon, DetailPlan("grid", (37.2, -98.2, 39.2, -95.8), 8))
    assert {(b.latitude, b.longitude, b.count) for b in shifted} == {
        (b.latitude, b.longitude, b.count) for b in bubbles
    }


def test_state_totals_count_partners_by_headquarters_at_the_state_centroid():
    index = make_index([(*AUSTIN, "TX"), (*DALLAS, "TX"), (40.7, -74.0, "NY")])
    bubbles = {b.label: b.count for b in state_bubbles(index, np.arange(3))}
    assert bubbles == {"Texas": 2, "New York": 1}
    counts = partners_per_state(index, np.arange(3))
    assert counts[STATE_CODES.index("TX")] == 2 and counts.sum() == 3


# ---- clicks and view state -------------------------------------------------------------------


def test_a_marker_click_selects_the_partner_at_that_point_and_a_click_elsewhere_none():
    index = make_index([(*AUSTIN, "TX"), (*AUSTIN, "TX"), (*DALLAS, "TX")], names=["A", "B", "C"])
    rows = np.arange(3)
    assert nearest_partner_row(index, rows, *DALLAS) == 2
    assert nearest_partner_row(index, rows, *AUSTIN, name="B") == 1
    assert nearest_partner_row(index, rows, DALLAS[0] + 0.05, DALLAS[1]) is None
    assert nearest_partner_row(index, np.array([0, 1]), *DALLAS) is None  # not matching


def component_value(view: MapView, click: tuple[float, float] | None = None) -> dict:
    return {
        "bounds": {
            "_southWest": {"lat": view.south, "lng": view.west},
            "_northEast": {"lat": view.north, "lng": view.east},
        },
        "zoom": view.zoom,
        "last_object_clicked": None if click is None else {"lat": click[0], "lng": click[1]},
    }


def test_view_state_starts_over_for_a_new_search_and_ignores_its_old_click():
    state = ViewState()
    view = view_around(AUSTIN, 1, 8)
    assert state.sync(context="q1", base="b1", component_value=component_value(view)) is None
    state.selected_id = 7
    assert state.sync(context="q1", base="b1", component_value=component_value(view)) == view
    assert state.take_click(component_value(view, DALLAS)) == DALLAS
    assert state.take_click(component_value(view, DALLAS)) is None  # reported again on a pan
    state.sync(context="q2", base="b2", component_value=component_value(view, DALLAS))
    assert state.selected_id is None and state.plan is None
    assert state.take_click(component_value(view, DALLAS)) is None


def test_view_state_remembers_the_view_when_only_the_state_layer_changes():
    state = ViewState()
    view = view_around(AUSTIN, 1, 8)
    state.sync(context="q", base="matching", component_value=None)
    state.sync(context="q", base="matching", component_value=component_value(view))
    assert state.anchor is None
    state.sync(context="q", base="demand", component_value=component_value(view))
    assert state.anchor == (pytest.approx(AUSTIN), 8)


def test_view_from_component_rejects_incomplete_values():
    assert MapView.from_component(None) is None
    assert MapView.from_component({"bounds": {"_southWest": {"lat": None}}, "zoom": 3}) is None
    view = MapView.from_component(component_value(view_around(AUSTIN, 1, 8)))
    assert view is not None and view.zoom == 8


# ---- data and HTML ---------------------------------------------------------------------------


def test_marker_rows_say_which_needs_are_certified_claimed_or_short():
    index = make_index(
        [(*AUSTIN, "TX")], levels={"security": (3, 2), "cloud": (2, 0), "telecom": (1, 0)}
    )
    query = SearchQuery(needs=["security", "cloud", "telecom"], min_level=1)
    row = marker_rows(index, query, all_rows(index), DetailPlan("markers", None))[0]
    assert row[:3] == [30.2672, -97.7431, 1]
    assert row[6] == "211"


def test_marker_rows_leave_out_partners_outside_the_plan_window():
    index = make_index([(*AUSTIN, "TX"), (*DALLAS, "TX")])
    plan = DetailPlan("markers", (29.0, -99.0, 31.0, -96.0), 9)
    rows = marker_rows(index, SearchQuery(), all_rows(index), plan)
    assert [r[2] for r in rows] == [1]


def test_regional_map_html_has_choropleth_legend_markers_and_region_outline():
    index = make_index([(*AUSTIN, "TX"), (*DALLAS, "TX")], names=["Alpha IT", "Beta Net"])
    choropleth = Choropleth({"TX": 2, "OK": 1}, "Partners matching the search", "matching")
    base = build_regional_base_map(
        choropleth=choropleth, region_states=("TX", "OK", "AR", "LA"), region_label="WSC"
    )
    plan = DetailPlan("markers", None)
    layer = build_partner_layer(
        plan, markers=marker_rows(index, SearchQuery(), all_rows(index), plan)
    )
    page = render_map_html(base, [layer])
    assert "Partners matching the search" in page  # the legend's caption
    assert '"label": "2 matching"' in page or '"label":"2 matching"' in page
    assert "L.markerClusterGroup" in page and "Alpha IT" in page
    assert "Region: WSC" in page and "L.polyline" in page


def test_state_bubbles_layer_sends_counts_not_partners():
    index = make_index(scattered(50, AUSTIN, 1.0, "TX"))
    plan = DetailPlan("states", None)
    layer = build_partner_layer(plan, bubbles=state_bubbles(index, np.arange(50)))
    page = render_map_html(build_regional_base_map(choropleth=None), [layer])
    assert "Partner 0" not in page
    assert re.search(r"\[\s*[-\d.]+,\s*[-\d.]+,\s*50,\s*\"Texas\"\s*\]", page)


def test_choropleth_steps_are_distinct_quantiles_of_the_non_zero_values():
    assert choropleth_steps([0, 0, 0]) == [1]
    assert choropleth_steps([5, 5, 5]) == [5]
    steps = choropleth_steps(list(range(0, 101)))
    assert steps == sorted(set(steps)) and steps[-1] == 100 and len(steps) == 5


def test_region_outline_dissolves_the_border_between_two_states():
    both = region_outline(("OK", "TX"))
    alone = region_outline(("TX",)) + region_outline(("OK",))
    assert 0 < sum(len(line) for line in both) < sum(len(line) for line in alone)


def test_selected_partner_details_and_its_service_area_layer():
    index = make_index([(*AUSTIN, "TX")], levels={"security": (3, 2)}, radius_km=80, served=("OK",))
    query = SearchQuery(needs=["security"])
    details = selected_partner(index, query, all_rows(index), 1)
    assert details is not None
    assert details.needs == [("security", 3, 2)] and details.states_served == ["OK"]
    assert details.service_radius_km == 80
    layer = build_selection_layer(
        locations=details.locations,
        service_radius_km=details.service_radius_km,
        states_served=details.states_served,
        popup_html="<b>x</b>",
    )
    page = render_map_html(build_regional_base_map(choropleth=None), [layer])
    assert '"radius": 80000.0' in page and "Oklahoma" in page
    assert selected_partner(index, query, all_rows(index), 99) is None


def test_partner_area_map_draws_radius_and_served_states_and_fits_them():
    m = build_partner_area_map(
        locations=[(*AUSTIN, "Austin office")], service_radius_km=50, states_served=["OK"]
    )
    page = m.get_root().render()
    assert '"radius": 50000.0' in page and "Oklahoma" in page and "fitBounds" in page
    empty = build_partner_area_map(locations=[], service_radius_km=None, states_served=[])
    assert "fitBounds" not in empty.get_root().render()


def test_the_map_opens_on_the_search_radius_else_the_region_else_the_whole_country():
    from core.geo.places import resolve_place
    from core.maps.data import search_bounds

    near = SearchQuery(near="78701", radius_km=50, region="south")
    (south, west), (north, east) = search_bounds(near, resolve_place("78701"))
    assert north - south == pytest.approx(100 / 111.32, rel=0.01)
    (south, west), (north, east) = search_bounds(SearchQuery(region="new_england"), None)
    assert 40 < south < 42 and north > 47 and -74 < west < -71 and east > -67.5
    assert search_bounds(SearchQuery(), None) is None
