"""folium maps built in core, rendered by pages with ``st_folium``.

Every user-supplied string that reaches a map goes through :func:`escape_for_map` first:
folium puts Popup HTML and Tooltip text into JavaScript template literals, so a partner name
must be safe both as HTML and inside a backtick string.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import folium
from folium.plugins import FastMarkerCluster

from core.maps.escaping import escape_for_map
from core.maps.js import (
    ClusterAssets,
    CompactAttribution,
    CountBubbles,
    FocusWithoutScroll,
    LayerPopup,
    marker_callback,
)
from core.maps.layers import (
    STATE_LEVEL_MAX_ZOOM,
    Bubble,
    DetailPlan,
)
from core.maps.regions import (
    Choropleth,
    add_choropleth,
    add_region_outline,
    bounds_of,
    circle_box,
    geometry_points,
    state_features,
)

# Continental US view for maps with nothing to fit.
US_CENTER: tuple[float, float] = (39.5, -98.35)
US_ZOOM = 4

SERVICE_AREA_STYLE: dict[str, Any] = {
    "color": "#2563eb",
    "weight": 1.5,
    "fillColor": "#60a5fa",
    "fillOpacity": 0.12,
}
# The searched place and its radius: a dashed ring under everything else, never clickable
# (a click on it must not read as a click on a partner).
SEARCH_AREA_STYLE: dict[str, Any] = {
    "color": "#0f172a",
    "weight": 2,
    "dash_array": "6 6",
    "fill": True,
    "fill_color": "#0f172a",
    "fill_opacity": 0.04,
}
SERVED_STATE_STYLE: dict[str, Any] = {
    "color": "#7c3aed",
    "weight": 2,
    "fillColor": "#a78bfa",
    "fillOpacity": 0.08,
}

# --------------------------------------------------------------------------- bounds helpers


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
            fit.extend(geometry_points(feature["geometry"]))
    for lat, lon, label in locations:
        safe = escape_for_map(label)
        if service_radius_km and service_radius_km > 0:
            folium.Circle(
                location=(lat, lon),
                radius=float(service_radius_km) * 1000.0,
                tooltip=f"{safe} · serves within {service_radius_km:g} km",
                **SERVICE_AREA_STYLE,
            ).add_to(parent)
            fit.extend(circle_box(lat, lon, float(service_radius_km)))
        # A vector dot: Leaflet's default image icon loses its image path inside st_folium.
        folium.CircleMarker(
            location=(lat, lon),
            radius=7,
            color="#ffffff",
            weight=2,
            fill=True,
            fill_color="#1d4ed8",
            fill_opacity=1.0,
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
    scale: bool = True,
) -> folium.Map:
    """Small map of one partner: its locations, service radius and the states it serves.

    ``locations`` are (lat, lon, label) with the label shown as text. With nothing to draw the
    map shows the continental US. ``scale=False`` leaves out the scale bar, for maps too narrow
    to hold it beside the attribution (a team card's).
    """
    m = folium.Map(
        location=US_CENTER,
        zoom_start=US_ZOOM,
        height=f"{int(height_px)}px",
        control_scale=scale,
        tiles="OpenStreetMap",
    )
    FocusWithoutScroll().add_to(m)
    CompactAttribution().add_to(m)
    fit = add_service_area(
        m,
        locations=locations,
        service_radius_km=service_radius_km,
        states_served=states_served,
    )
    fit_or_center(m, bounds_of(fit), max_zoom=11)
    return m


# --------------------------------------------------------------------------- regional map

CONTINENTAL_US: list[list[float]] = [[24.5, -125.0], [49.5, -66.9]]


def build_regional_base_map(
    *,
    choropleth: Choropleth | None,
    region_states: tuple[str, ...] = (),
    region_label: str = "",
    fit: list[list[float]] | None = None,
    search_area: tuple[float, float, float] | None = None,
    height_px: int = 560,
) -> folium.Map:
    """The part of the regional map that changes only with the query and layer choice.

    ``search_area`` (lat, lon, radius km) draws the searched place and its radius.

    Partners and the selection come as feature groups (``build_partner_layer``,
    ``build_selection_layer``) so that st_folium can swap them without remounting the map.
    """
    m = folium.Map(
        location=US_CENTER,
        zoom_start=US_ZOOM,
        tiles="OpenStreetMap",
        height=f"{int(height_px)}px",
        control_scale=True,
        # Quarter steps let fit_bounds fill a narrow map instead of jumping a whole level out.
        zoom_snap=0.25,
    )
    ClusterAssets().add_to(m)
    FocusWithoutScroll().add_to(m)
    CompactAttribution().add_to(m)  # on a phone the full attribution covered the scale
    if choropleth is not None:
        add_choropleth(m, choropleth)
    if region_states:
        add_region_outline(m, states=region_states, label=region_label)
    if search_area is not None:
        add_search_area(m, *search_area)
    fit_or_center(m, fit or CONTINENTAL_US, max_zoom=11)
    return m


def add_search_area(m: folium.Map, latitude: float, longitude: float, radius_km: float) -> None:
    """The search radius around the searched place, and a dot at the place itself."""
    ring = folium.Circle(
        location=(latitude, longitude),
        radius=float(radius_km) * 1000.0,
        class_name="pa-search-radius",
        **SEARCH_AREA_STYLE,
    )
    dot = folium.CircleMarker(
        location=(latitude, longitude),
        radius=4,
        color="#0f172a",
        weight=2,
        fill=True,
        fill_color="#ffffff",
        fill_opacity=1.0,
        class_name="pa-search-place",
    )
    for shape in (ring, dot):
        shape.options["interactive"] = False  # folium's path options leave this one out
        shape.add_to(m)


def build_partner_layer(
    plan: DetailPlan,
    *,
    markers: list[list[Any]] | None = None,
    bubbles: list[Bubble] | None = None,
    need_labels: Sequence[str] = (),
) -> folium.FeatureGroup:
    """Matching partners at the plan's level of detail, as one feature group."""
    group = folium.FeatureGroup(name="Partners")
    if plan.level == "markers":
        FastMarkerCluster(
            markers or [],
            callback=marker_callback(list(need_labels)),
            # Spread partners sharing an address instead of stacking them at the last zoom.
            options={
                "spiderfyOnMaxZoom": True,
                "showCoverageOnHover": False,
                "maxClusterRadius": 50,
            },
        ).add_to(group)
    else:
        rows = [[b.latitude, b.longitude, b.count, escape_for_map(b.label)] for b in bubbles or []]
        zoom_to = STATE_LEVEL_MAX_ZOOM + 1 if plan.level == "states" else (plan.zoom or 0) + 2
        CountBubbles(rows, min_zoom_to=zoom_to).add_to(group)
    return group


def partner_popup_html(
    *, partner_id: int, name: str, city: str, distance: str, coverage_lines: list[str]
) -> str:
    """The same popup the marker callback builds, for the selected partner (all escaped)."""
    parts = [f"<strong>{escape_for_map(name)}</strong>"]
    parts += [escape_for_map(text) for text in (city, distance, *coverage_lines) if text]
    link = (
        f'<a href="/partner_profile?id={int(partner_id)}" target="_blank" rel="noopener">'
        "Open profile</a>"
    )
    return '<div class="pa-popup">' + "<br>".join([*parts, link]) + "</div>"


def build_selection_layer(
    *,
    locations: list[tuple[float, float, str]],
    service_radius_km: float | None,
    states_served: list[str],
    popup_html: str | None = None,
    popup_near: tuple[float, float] | None = None,
) -> folium.FeatureGroup:
    """The selected partner's service area (locations, radius, served states) and its popup.

    The popup opens at the location nearest to ``popup_near`` (the pin that was clicked: a
    branch near the searched place, say), else at the first location (the headquarters).
    """
    group = folium.FeatureGroup(name="Selected partner")
    add_service_area(
        group,
        locations=locations,
        service_radius_km=service_radius_km,
        states_served=states_served,
        precision=1,
    )
    if popup_html and locations:
        at = locations[0]
        if popup_near is not None:
            near_lat, near_lon = popup_near
            at = min(locations, key=lambda loc: (loc[0] - near_lat) ** 2 + (loc[1] - near_lon) ** 2)
        LayerPopup((at[0], at[1]), popup_html).add_to(group)
    return group


def render_map_html(base: folium.Map, layers: Sequence[folium.FeatureGroup] = ()) -> str:
    """The whole map as one HTML page (what a browser loads): for tests and the benchmark."""
    for layer in layers:
        layer.add_to(base)
    return base.get_root().render()
