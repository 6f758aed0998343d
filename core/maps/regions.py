"""State choropleth and sales-region outlines for the regional map.

State boundaries come from ``core.geo`` (Census shapes shipped in a package, offline). The
choropleth uses one decimal of precision (about 10 km, some 0.3 MB) so the map stays small;
colours are quantile steps of a branca colormap with grey for "none", explained by a legend.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import branca.colormap
import folium

from core.geo.shapes import state_boundaries_geojson
from core.maps.escaping import escape_for_map
from core.maps.js import HtmlLegend

_KM_PER_DEGREE_LAT = 111.32


def circle_box(lat: float, lon: float, radius_km: float) -> list[tuple[float, float]]:
    dlat = radius_km / _KM_PER_DEGREE_LAT
    dlon = radius_km / (_KM_PER_DEGREE_LAT * max(math.cos(math.radians(lat)), 0.05))
    return [(lat - dlat, lon - dlon), (lat + dlat, lon + dlon)]


def geometry_points(geometry: dict[str, Any]) -> Iterable[tuple[float, float]]:
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    for polygon in polygons:
        for lon, lat in polygon[0]:  # exteriors bound the holes
            yield lat, lon


def bounds_of(points: Iterable[tuple[float, float]]) -> list[list[float]] | None:
    """[[south, west], [north, east]] around the points, or None when there are none."""
    pts = list(points)
    if not pts:
        return None
    lats = [p[0] for p in pts]
    lons = [p[1] for p in pts]
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


def state_features(codes: Iterable[str], *, precision: int = 2) -> list[dict[str, Any]]:
    """GeoJSON features of the given state codes (unknown codes are ignored)."""
    wanted = {code.upper() for code in codes}
    return [
        feature
        for feature in state_boundaries_geojson(precision=precision)["features"]
        if feature["properties"]["code"] in wanted
    ]


NO_DATA_COLOR = "#e5e7eb"
PALETTES: dict[str, list[str]] = {
    "blues": ["#dbeafe", "#93c5fd", "#3b82f6", "#1d4ed8", "#1e3a8a"],
    "greens": ["#dcfce7", "#86efac", "#22c55e", "#15803d", "#14532d"],
    "reds": ["#fee2e2", "#fca5a5", "#ef4444", "#b91c1c", "#7f1d1d"],
}
REGION_STYLE: dict[str, Any] = {"color": "#111827", "weight": 4, "opacity": 0.9}


@dataclass(frozen=True)
class Choropleth:
    """One value per state and the words that say what it is."""

    values: dict[str, int]  # state code -> count
    caption: str  # legend title, e.g. "Partners matching your search"
    unit: str  # tooltip unit, e.g. "matching partners"
    palette: str = "blues"


def choropleth_steps(values: Iterable[int], colors: int = 5) -> list[int]:
    """Upper bounds of the colour classes: quantiles of the non-zero values, rounded, distinct."""
    positive = sorted(v for v in values if v > 0)
    if not positive:
        return [1]
    bounds: list[int] = []
    for k in range(1, colors + 1):
        value = positive[min(len(positive) - 1, math.ceil(k * len(positive) / colors) - 1)]
        if not bounds or value > bounds[-1]:
            bounds.append(int(value))
    return bounds


def _step_colormap(choropleth: Choropleth) -> tuple[branca.colormap.StepColormap, list[int]]:
    bounds = choropleth_steps(choropleth.values.values())
    colors = PALETTES[choropleth.palette][-len(bounds) :]
    # Class i holds (bounds[i-1], bounds[i]]; 0 has its own grey.
    index = [0.5, *(b + 0.5 for b in bounds)]
    return branca.colormap.StepColormap(colors, index=index, vmin=0.5, vmax=index[-1]), bounds


def _legend_entries(bounds: list[int], colors: list[str]) -> list[tuple[str, str]]:
    entries = [(NO_DATA_COLOR, "none")]
    low = 1
    for bound, color in zip(bounds, colors, strict=True):
        entries.append((color, f"{low:,}" if bound == low else f"{low:,}–{bound:,}"))
        low = bound + 1
    return entries


def add_choropleth(m: folium.Map, choropleth: Choropleth) -> None:
    """Colour the states by value, with tooltips and a legend that says what colours mean."""
    colormap, bounds = _step_colormap(choropleth)
    features = []
    for feature in state_boundaries_geojson(precision=1)["features"]:
        code = feature["properties"]["code"]
        value = int(choropleth.values.get(code, 0))
        label = f"{value:,} {choropleth.unit}"
        features.append(
            {
                "type": "Feature",
                "id": code,
                "properties": {
                    "name": feature["properties"]["name"],
                    "value": value,
                    "label": label,
                },
                "geometry": feature["geometry"],  # shared, not copied: the cache is read-only
            }
        )

    def style(feature: dict[str, Any]) -> dict[str, Any]:
        value = feature["properties"]["value"]
        return {
            "fillColor": colormap(value) if value > 0 else NO_DATA_COLOR,
            "fillOpacity": 0.45,
            "color": "#6b7280",
            "weight": 0.6,
        }

    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=choropleth.caption,
        style_function=style,
        # Names and numbers are ours; GeoJsonTooltip writes them as HTML, so escape anyway.
        tooltip=folium.GeoJsonTooltip(fields=["name", "label"], labels=False),
    ).add_to(m)
    colors = PALETTES[choropleth.palette][-len(bounds) :]
    HtmlLegend(caption=choropleth.caption, entries=_legend_entries(bounds, colors)).add_to(m)


def _segment_key(a: tuple[float, float], b: tuple[float, float]) -> tuple[Any, ...]:
    return (a, b) if a <= b else (b, a)


@functools.lru_cache(maxsize=32)
def region_outline(states: tuple[str, ...], precision: int = 1) -> tuple[tuple[Any, ...], ...]:
    """The outer boundary of a group of states, as polylines of (lat, lon).

    Borders shared by two states of the group appear in both (identical vertices in the Census
    file), so keeping the segments that occur once dissolves the group into one outline.
    """
    seen: dict[tuple[Any, ...], int] = {}
    for feature in state_features(states, precision=precision):
        geometry = feature["geometry"]
        polygons = geometry["coordinates"]
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        for ring in (ring for polygon in polygons for ring in polygon):
            points = [(p[0], p[1]) for p in ring]
            for a, b in itertools.pairwise(points):
                key = _segment_key(a, b)
                seen[key] = seen.get(key, 0) + 1
    neighbours: dict[tuple[float, float], list[tuple[float, float]]] = {}
    for (a, b), count in seen.items():
        if count == 1:
            neighbours.setdefault(a, []).append(b)
            neighbours.setdefault(b, []).append(a)
    lines = []
    for start in list(neighbours):
        while neighbours.get(start):
            line, point = [start], start
            while neighbours.get(point):
                nxt = neighbours[point].pop()
                neighbours[nxt].remove(point)
                line.append(nxt)
                point = nxt
            lines.append(tuple((lat, lon) for lon, lat in line))
    return tuple(lines)


def state_bounds(codes: Iterable[str]) -> list[list[float]] | None:
    """Bounds of some states (Aleutian islands past 180° left out, or Alaska spans the globe)."""
    points = [
        point
        for feature in state_features(codes, precision=1)
        for point in geometry_points(feature["geometry"])
        if point[1] < 0
    ]
    return bounds_of(points)


def add_region_outline(m: folium.Map, *, states: tuple[str, ...], label: str) -> None:
    lines = [list(line) for line in region_outline(tuple(sorted(states)))]
    if lines:
        folium.PolyLine(lines, tooltip=escape_for_map(f"Region: {label}"), **REGION_STYLE).add_to(m)
