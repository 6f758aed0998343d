"""The regional map's level of detail per run (core.maps.detail): plan, clicks, layer data."""

from __future__ import annotations

from datetime import date

import numpy as np

from core.maps.detail import (
    detail_hint,
    follow_view,
    partner_layer_data,
)
from core.maps.layers import MARKER_LIMIT, STATE_LEVEL_MAX_ZOOM, DetailPlan, MapView, ViewState
from core.maps.pins import PinPositions
from core.search.index import STATE_CODES, ReadIndex
from core.search.query import SearchQuery
from core.search.ranking import Matches
from tests.unit.hand_made_index import hand_made_index

AUSTIN = (30.2672, -97.7431)
DALLAS = (32.7767, -96.7970)
QUERY = SearchQuery()


def texas_index(lat: np.ndarray, lon: np.ndarray) -> ReadIndex:
    """Partners with their headquarters at these points, all in Texas."""
    n = lat.size
    texas = np.full(n, STATE_CODES.index("TX"), dtype=np.int8)
    return hand_made_index(
        hq_latitude=lat,
        hq_longitude=lon,
        hq_city=["Somewhere, TX"] * n,
        built_for_day=date(2026, 1, 1),
        names=[f"Partner {i}" for i in range(n)],
        location_states=np.left_shift(np.uint64(1), texas.astype(np.uint64)),
        loc_state=texas,
    )


def few_partners() -> ReadIndex:
    return texas_index(np.array([AUSTIN[0], DALLAS[0]]), np.array([AUSTIN[1], DALLAS[1]]))


def many_partners() -> ReadIndex:
    """More partners than single markers may show, spread over Texas."""
    rng = np.random.default_rng(7)
    n = MARKER_LIMIT * 2
    return texas_index(rng.uniform(29.0, 33.0, n), rng.uniform(-100.0, -95.0, n))


def everyone(index: ReadIndex) -> Matches:
    return Matches(rows=np.arange(index.size), distance_km=None, via_service_area=None)


def reported(view: MapView, click: tuple[float, float] | None = None, tooltip: str = "") -> dict:
    """What st_folium reports: the view, and the last click with its marker's tooltip."""
    return {
        "bounds": {
            "_southWest": {"lat": view.south, "lng": view.west},
            "_northEast": {"lat": view.north, "lng": view.east},
        },
        "zoom": view.zoom,
        "last_object_clicked": None if click is None else {"lat": click[0], "lng": click[1]},
        "last_object_clicked_tooltip": tooltip or None,
    }


def around(center: tuple[float, float], half: float, zoom: int) -> MapView:
    return MapView(center[0] - half, center[1] - half, center[0] + half, center[1] + half, zoom)


def follow(state: ViewState, index: ReadIndex, value: dict | None, *, context: str = "q"):  # type: ignore[no-untyped-def]
    matches = everyone(index)
    return follow_view(
        state,
        value,
        context=context,
        base="matching",
        index=index,
        query=QUERY,
        matches=matches,
        positions=PinPositions.of(index, matches),
    )


def test_few_partners_are_single_markers_and_a_click_on_one_selects_it():
    index = few_partners()
    state = ViewState()
    first = follow(state, index, None)  # a new search: no view reported yet
    assert first.plan == DetailPlan("markers", None) and first.selected is None
    view = around(AUSTIN, 2, 8)
    detail = follow(state, index, reported(view, DALLAS, "Partner 1"))
    assert detail.plan.level == "markers"
    assert detail.selected is not None and detail.selected.partner_id == 2
    assert state.selected_id == 2
    # The same click is reported again with every later pan: the selection stays as it is.
    state.selected_id = None
    assert follow(state, index, reported(view, DALLAS, "Partner 1")).selected is None


def test_a_country_wide_view_of_many_partners_shows_state_totals_and_a_click_selects_nobody():
    index = many_partners()
    state = ViewState()
    follow(state, index, None)
    country = around((31.0, -97.5), 12, STATE_LEVEL_MAX_ZOOM - 2)
    detail = follow(state, index, reported(country, AUSTIN))
    assert detail.plan.level == "states"
    assert detail.selected is None and state.selected_id is None
    data = partner_layer_data(
        detail.plan,
        index=index,
        query=QUERY,
        matches=everyone(index),
        positions=PinPositions.of(index, everyone(index)),
    )
    assert data.markers is None
    assert [(b.label, b.count) for b in data.bubbles or []] == [("Texas", index.size)]
    assert "count partners by headquarters" in detail_hint(detail.plan)


def test_zooming_in_on_many_partners_counts_grid_cells_then_shows_single_markers():
    index = many_partners()
    matches = everyone(index)
    positions = PinPositions.of(index, matches)
    state = ViewState()
    follow(state, index, None)
    region = around((31.0, -97.5), 2.5, STATE_LEVEL_MAX_ZOOM + 1)
    grid = follow(state, index, reported(region)).plan
    assert grid.level == "grid"
    data = partner_layer_data(grid, index=index, query=QUERY, matches=matches, positions=positions)
    assert data.markers is None and data.bubbles
    assert sum(b.count for b in data.bubbles) <= index.size
    street = around((31.0, -97.5), 0.05, 12)
    close = follow(state, index, reported(street)).plan
    assert close.level == "markers" and close.window is not None
    data = partner_layer_data(close, index=index, query=QUERY, matches=matches, positions=positions)
    assert data.bubbles is None and data.markers is not None
    assert len(data.markers) < MARKER_LIMIT  # only the partners inside the window
    assert "Click a partner" in detail_hint(close)


def test_a_pan_inside_the_data_window_keeps_the_plan():
    index = many_partners()
    state = ViewState()
    follow(state, index, None)
    view = around((31.0, -97.5), 0.05, 12)
    plan = follow(state, index, reported(view)).plan
    nudged = MapView(view.south + 0.01, view.west + 0.01, view.north + 0.01, view.east + 0.01, 12)
    assert follow(state, index, reported(nudged)).plan is plan


def test_a_selected_partner_that_no_longer_matches_is_let_go():
    index = few_partners()
    state = ViewState()
    follow(state, index, None)
    follow(state, index, reported(around(AUSTIN, 2, 8), AUSTIN, "Partner 0"))
    assert state.selected_id == 1
    only_dallas = Matches(rows=np.array([1]), distance_km=None, via_service_area=None)
    detail = follow_view(
        state,
        reported(around(AUSTIN, 2, 8), AUSTIN, "Partner 0"),
        context="q",
        base="matching",
        index=index,
        query=QUERY,
        matches=only_dallas,
        positions=PinPositions.of(index, only_dallas),
    )
    assert detail.selected is None and state.selected_id is None


def test_a_new_search_starts_over_without_a_selection():
    index = few_partners()
    state = ViewState()
    follow(state, index, None)
    follow(state, index, reported(around(AUSTIN, 2, 8), AUSTIN, "Partner 0"))
    assert state.selected_id == 1
    detail = follow(state, index, reported(around(AUSTIN, 2, 8), AUSTIN, "Partner 0"), context="q2")
    assert detail.selected is None and detail.plan == DetailPlan("markers", None)
