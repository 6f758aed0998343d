"""What the regional map shows at a given view: single partners, grid cells or state totals.

The map must stay small and fast at any directory size, so the server decides the level of
detail from the view the browser reports (bounds and zoom):

* ``markers`` – every matching partner (headquarters) in a data window around the view, when
  there are at most ``MARKER_LIMIT`` of them;
* ``grid`` – counts per square cell (about 64 px at the current zoom) inside the window;
* ``states`` – counts per state at the state's centroid, for country-wide views.

The window is the view padded by at least one step (64 px) on every side and snapped to a
zoom-level grid, so small pans stay inside it and need no new data (``needs_new_data``).
Pure NumPy: no folium or Streamlit here, so it is unit-tested directly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from core.analytics.coverage import hq_states
from core.geo.states import STATE_NAMES
from core.geo.zip_data import state_centroids
from core.search.index import STATE_CODES, ReadIndex

MARKER_LIMIT = 2_000  # single markers up to this many partners in the data window
STATE_LEVEL_MAX_ZOOM = 6  # at this zoom or wider, too many partners show as state totals
CELL_PX = 64  # grid cell size on screen
TILE_PX = 256
MAX_ZOOM = 18

# Per need in a marker's data, one character: certified at the level asked for, claimed only,
# or short of it.
COVERAGE_CERTIFIED, COVERAGE_CLAIMED, COVERAGE_SHORT = "2", "1", "0"

Level = Literal["markers", "grid", "states"]
Window = tuple[float, float, float, float]  # south, west, north, east


@dataclass(frozen=True)
class MapView:
    """What the browser shows: bounds in degrees and the Leaflet zoom level."""

    south: float
    west: float
    north: float
    east: float
    zoom: int

    @classmethod
    def from_component(cls, value: Mapping[str, Any] | None) -> MapView | None:
        """Read st_folium's returned ``bounds`` and ``zoom``; None when incomplete."""
        if not value:
            return None
        bounds, zoom = value.get("bounds"), value.get("zoom")
        try:
            south_west, north_east = bounds["_southWest"], bounds["_northEast"]  # type: ignore[index]
            numbers = [
                float(south_west["lat"]),
                float(south_west["lng"]),
                float(north_east["lat"]),
                float(north_east["lng"]),
            ]
            level = int(zoom)  # type: ignore[arg-type]
        except (KeyError, TypeError, ValueError):
            return None
        if not all(math.isfinite(x) for x in numbers):
            return None
        south, west, north, east = numbers
        return cls(south, west, north, east, max(0, min(MAX_ZOOM, level)))


@dataclass(frozen=True)
class DetailPlan:
    level: Level
    window: Window | None  # None: the whole country (no need to refetch on pan)
    zoom: int | None = None  # the zoom the plan was made for (grid cells depend on it)

    @property
    def cell_deg(self) -> float | None:
        return None if self.level != "grid" or self.zoom is None else cell_degrees(self.zoom)

    def covers(self, view: MapView) -> bool:
        if self.window is None:
            return True
        south, west, north, east = self.window
        return (
            south <= view.south
            and west <= view.west
            and north >= view.north
            and (east >= view.east)
        )


def cell_degrees(zoom: int) -> float:
    """Degrees of longitude spanned by ``CELL_PX`` screen pixels at ``zoom``."""
    return 360.0 / (2**zoom) * CELL_PX / TILE_PX


def data_window(view: MapView) -> Window:
    """The view padded by one step (a quarter tile, 64 px) on each side, snapped outward to it.

    Pans shorter than a step stay inside; the window is under twice the view's area, so it
    holds few enough partners for single markers about as soon as the view itself does.
    """
    step = 360.0 / (2**view.zoom) / 4
    south = math.floor(view.south / step) * step - step
    west = math.floor(view.west / step) * step - step
    north = math.ceil(view.north / step) * step + step
    east = math.ceil(view.east / step) * step + step
    return (max(south, -90.0), max(west, -540.0), min(north, 90.0), min(east, 540.0))


def in_window(lat: np.ndarray, lon: np.ndarray, window: Window) -> np.ndarray:
    south, west, north, east = window
    return (lat >= south) & (lat <= north) & (lon >= west) & (lon <= east)


def plan_detail(
    lat: np.ndarray, lon: np.ndarray, view: MapView | None, *, marker_limit: int = MARKER_LIMIT
) -> DetailPlan:
    """The level of detail for the matching partners' positions at this view."""
    if lat.size <= marker_limit:
        return DetailPlan("markers", None)
    if view is None:
        return DetailPlan("states", None)
    window = data_window(view)
    if np.count_nonzero(in_window(lat, lon, window)) <= marker_limit:
        return DetailPlan("markers", window, view.zoom)
    if view.zoom <= STATE_LEVEL_MAX_ZOOM:
        return DetailPlan("states", None)
    return DetailPlan("grid", window, view.zoom)


def needs_new_data(
    current: DetailPlan | None,
    view: MapView | None,
    lat: np.ndarray,
    lon: np.ndarray,
    *,
    marker_limit: int = MARKER_LIMIT,
) -> tuple[bool, DetailPlan]:
    """Whether the view needs a different layer, and the plan to show.

    The current plan is kept while it still covers the view at the right level of detail, so
    panning inside the window or zooming within one level does not rebuild anything.
    """
    wanted = plan_detail(lat, lon, view, marker_limit=marker_limit)
    if current is None:
        return True, wanted
    if view is None:
        return False, current
    same_level = wanted.level == current.level
    if same_level and current.level == "grid":
        same_level = wanted.zoom == current.zoom
    if same_level and current.covers(view):
        return False, current
    return True, wanted


# --------------------------------------------------------------------------- aggregation


@dataclass(frozen=True)
class Bubble:
    """A count shown at one position (a state's centroid or a grid cell's mean position)."""

    latitude: float
    longitude: float
    count: int
    label: str  # what the count is of, e.g. "Texas" or "this area"


def hq_positions(index: ReadIndex, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows, lat, lon) of the partners among ``rows`` that have a headquarters position."""
    rows = np.asarray(rows, dtype=np.int64)
    lat, lon = index.hq_latitude[rows], index.hq_longitude[rows]
    located = np.isfinite(lat) & np.isfinite(lon)
    return rows[located], lat[located], lon[located]


def state_bubbles(index: ReadIndex, rows: np.ndarray) -> list[Bubble]:
    """Matching partners per headquarters state, at the state's centroid."""
    states = hq_states(index)[np.asarray(rows, dtype=np.int64)]
    counts = np.bincount(states[states >= 0].astype(np.int64), minlength=len(STATE_CODES))
    centroids = state_centroids()
    bubbles = []
    for position in np.flatnonzero(counts):
        code = STATE_CODES[position]
        lat, lon = centroids[code]
        bubbles.append(Bubble(lat, lon, int(counts[position]), STATE_NAMES[code]))
    return bubbles


def grid_bubbles(lat: np.ndarray, lon: np.ndarray, plan: DetailPlan) -> list[Bubble]:
    """Counts per grid cell inside the plan's window, at the mean position of each cell."""
    cell = plan.cell_deg
    if cell is None or plan.window is None:
        raise ValueError("grid bubbles need a grid plan")
    inside = in_window(lat, lon, plan.window)
    lat, lon = lat[inside], lon[inside]
    if lat.size == 0:
        return []
    # Cells are aligned to a global grid, so the same partner lands in the same cell on any pan.
    cell_y = np.floor(lat / cell).astype(np.int64)
    cell_x = np.floor(lon / cell).astype(np.int64)
    keys = cell_y * 4_000_000 + cell_x
    unique, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    mean_lat = np.bincount(inverse, weights=lat, minlength=unique.size) / counts
    mean_lon = np.bincount(inverse, weights=lon, minlength=unique.size) / counts
    return [
        Bubble(round(float(a), 4), round(float(o), 4), int(c), "this area")
        for a, o, c in zip(mean_lat, mean_lon, counts, strict=True)
    ]


def nearest_partner_row(
    index: ReadIndex,
    rows: np.ndarray,
    latitude: float,
    longitude: float,
    *,
    tolerance_deg: float = 2e-4,
    name: str | None = None,
    pins: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> int | None:
    """The matching partner whose marker was clicked: its pin is at the click point.

    ``pins`` are (rows, lat, lon) of the map's pins, the headquarters of ``rows`` when not given.
    Marker clicks report the marker's own position, so a pin must sit within a hair of it;
    a click on a state or an empty spot finds none. Partners sharing a position are told apart
    by the tooltip ``name`` when given, else the first row wins.
    """
    rows, lat, lon = pins if pins is not None else hq_positions(index, rows)
    if rows.size == 0:
        return None
    distance = np.maximum(np.abs(lat - latitude), np.abs(lon - longitude))
    close = np.flatnonzero(distance <= tolerance_deg)
    if close.size == 0:
        return None
    candidates = rows[close[np.argsort(distance[close], kind="stable")]]
    if name is not None and candidates.size > 1:
        names = index.names.take(candidates).to_pylist()
        for row, candidate_name in zip(candidates, names, strict=True):
            if candidate_name.strip() == name.strip():
                return int(row)
    return int(candidates[0])


# --------------------------------------------------------------------------- view state


def _click_of(value: Mapping[str, Any] | None) -> tuple[float, float] | None:
    clicked = (value or {}).get("last_object_clicked")
    try:
        return (float(clicked["lat"]), float(clicked["lng"]))  # type: ignore[index]
    except (KeyError, TypeError, ValueError):
        return None


@dataclass
class ViewState:
    """What one visitor's map shows, kept between reruns (in the page's session state).

    ``context`` identifies the search (a new one starts over) and ``base`` the base map (a new
    choropleth or region remounts the map: ``anchor`` then restores the view the visitor had).
    """

    context: str | None = None
    base: str | None = None
    plan: DetailPlan | None = None
    selected_id: int | None = None
    last_click: tuple[float, float] | None = None
    anchor: tuple[tuple[float, float], int] | None = None  # (center, zoom) for st_folium

    def sync(
        self, *, context: str, base: str, component_value: Mapping[str, Any] | None
    ) -> MapView | None:
        """Take in the component's latest value; returns the view to plan for."""
        view = MapView.from_component(component_value)
        if context != self.context:
            # The reported view and click belong to the previous search's map.
            self.context, self.base = context, base
            self.plan, self.selected_id, self.anchor = None, None, None
            self.last_click = _click_of(component_value)
            return None
        if base != self.base:
            self.base = base
            if view is not None:
                center = ((view.south + view.north) / 2, (view.west + view.east) / 2)
                self.anchor = (center, view.zoom)
        return view

    def take_click(self, component_value: Mapping[str, Any] | None) -> tuple[float, float] | None:
        """A click not seen before (each is reported again on every later pan), or None."""
        click = _click_of(component_value)
        if click is None or click == self.last_click:
            return None
        self.last_click = click
        return click
