"""folium maps built in core, rendered by pages with ``st_folium``.

Every user-supplied string that reaches a map goes through :func:`escape_for_map` first:
folium puts Popup HTML and Tooltip text into JavaScript template literals, so a partner name
must be safe both as HTML and inside a backtick string.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from typing import Any

import folium

from core.geo import state_boundaries_geojson

# Continental US view for maps with nothing to fit.
US_CENTER: tuple[float, float] = (39.5, -98.35)
US_ZOOM = 4
_KM_PER_DEGREE_LAT = 111.32

SERVICE_AREA_STYLE: dict[str, Any] = {
    "color": "#2563eb",
    "weight": 1.5,
    "fillColor": "#60a5fa",
    "fillOpacity": 0.12,
}
SERVED_STATE_STYLE: dict[str, Any] = {
    "color": "#7c3aed",
    "weight": 2,
    "fillColor": "#a78bfa",
    "fillOpacity": 0.08,
}

# After html.escape: a backslash could escape the closing backtick or a `$`, a backtick ends
# the literal, and `${` opens an expression. As character references they are inert in JS and
# still render as the original characters in the HTML the literal becomes.
_TEMPLATE_LITERAL_TABLE = str.maketrans({"\\": "&#92;", "`": "&#96;", "$": "&#36;"})


def escape_for_map(text: str) -> str:
    """Escape user text for folium Popup/Tooltip HTML that sits in a JS template literal.

    The result contains no ``<``, ``>``, ``&`` (other than entity starts), quotes, backticks,
    ``$`` or backslashes, and the browser shows it as the original text.
    """
    return html.escape(str(text), quote=True).translate(_TEMPLATE_LITERAL_TABLE)


# --------------------------------------------------------------------------- bounds helpers


def _circle_box(lat: float, lon: float, radius_km: float) -> list[tuple[float, float]]:
    dlat = radius_km / _KM_PER_DEGREE_LAT
    dlon = radius_km / (_KM_PER_DEGREE_LAT * max(math.cos(math.radians(lat)), 0.05))
    return [(lat - dlat, lon - dlon), (lat + dlat, lon + dlon)]


def _geometry_points(geometry: dict[str, Any]) -> Iterable[tuple[float, float]]:
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


def fit_or_center(m: folium.Map, bounds: list[list[float]] | None, *, max_zoom: int = 12) -> None:
    """Fit the map to ``bounds``; a single point gets a sensible zoom instead of the maximum."""
    if bounds is None:
        return
    (south, west), (north, east) = bounds
    if north - south < 1e-6 and east - west < 1e-6:
        pad = 0.05
        bounds = [[south - pad, west - pad], [north + pad, east + pad]]
    m.fit_bounds(bounds, max_zoom=max_zoom)


# --------------------------------------------------------------------------- service area


def add_service_area(
    parent: folium.Map | folium.FeatureGroup,
    *,
    locations: Sequence[tuple[float, float, str]],
    service_radius_km: float | None,
    states_served: Sequence[str],
    precision: int = 2,
) -> list[tuple[float, float]]:
    """Draw locations, radius circles and served-state outlines; return points to fit."""
    fit: list[tuple[float, float]] = []
    features = state_features(states_served, precision=precision)
    if features:
        folium.GeoJson(
            {"type": "FeatureCollection", "features": features},
            name="States served",
            style_function=lambda _feature: SERVED_STATE_STYLE,
            # State names come from our own table, never from users.
            tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
        ).add_to(parent)
        for feature in features:
            fit.extend(_geometry_points(feature["geometry"]))
    for lat, lon, label in locations:
        safe = escape_for_map(label)
        if service_radius_km and service_radius_km > 0:
            folium.Circle(
                location=(lat, lon),
                radius=float(service_radius_km) * 1000.0,
                tooltip=f"{safe} · serves within {service_radius_km:g} km",
                **SERVICE_AREA_STYLE,
            ).add_to(parent)
            fit.extend(_circle_box(lat, lon, float(service_radius_km)))
        folium.Marker(
            location=(lat, lon),
            tooltip=folium.Tooltip(safe),
            popup=folium.Popup(safe, max_width=260),
        ).add_to(parent)
        fit.append((lat, lon))
    return fit


def build_partner_area_map(
    *,
    locations: list[tuple[float, float, str]],
    service_radius_km: float | None,
    states_served: list[str],
    height_px: int = 300,
) -> folium.Map:
    """Small map of one partner: its locations, service radius and the states it serves.

    ``locations`` are (lat, lon, label) with the label shown as text. With nothing to draw the
    map shows the continental US.
    """
    m = folium.Map(
        location=US_CENTER,
        zoom_start=US_ZOOM,
        height=f"{int(height_px)}px",
        control_scale=True,
        tiles="OpenStreetMap",
    )
    fit = add_service_area(
        m,
        locations=locations,
        service_radius_km=service_radius_km,
        states_served=states_served,
    )
    fit_or_center(m, bounds_of(fit), max_zoom=11)
    return m
