"""Offline US state boundaries: GeoJSON for maps and point-in-state lookups.

The Census 2016 cartographic state boundaries ship inside ``plotly-geo``; they are read once
on first use and cached, then rounded and simplified per precision for the map payload.
"""

from __future__ import annotations

import functools
import importlib.resources
from typing import Any

import numpy as np

from core.geo.bulk_build import gc_paused
from core.geo.states import STATE_NAMES

# --------------------------------------------------------------------------- boundaries

Ring = list[list[float]]
_RawPolygon = list[np.ndarray]  # exterior ring first, then holes; each an (n, 2) lon/lat array


@functools.lru_cache(maxsize=1)
@gc_paused
def _raw_state_polygons() -> dict[str, list[_RawPolygon]]:
    """Full-resolution polygons per state, as arrays: compact to keep cached and fast to round."""
    import shapefile  # deferred: only the map needs it

    data_dir = importlib.resources.files("_plotly_geo") / "package_data"
    shp = data_dir / "cb_2016_us_state_500k.shp"
    with importlib.resources.as_file(shp) as shp_path, shapefile.Reader(str(shp_path)) as reader:
        polygons: dict[str, list[_RawPolygon]] = {}
        for shape, record in zip(reader.shapes(), reader.records(), strict=True):
            if record["STUSPS"] not in STATE_NAMES:  # drops PR, GU, VI, AS, MP
                continue
            # pyshp's GeoJSON view does the work of assigning holes to their exteriors.
            geometry = shape.__geo_interface__
            parts = geometry["coordinates"]
            if geometry["type"] == "Polygon":
                parts = [parts]
            polygons[record["STUSPS"]] = [
                [np.asarray(ring, dtype=float) for ring in polygon] for polygon in parts
            ]
        return polygons


def _round_ring(ring: np.ndarray, precision: int) -> Ring | None:
    """Rounded ring without consecutive duplicates; None if too few points remain."""
    # k / 10**p is the double nearest to the decimal, so JSON prints it short (-97.74).
    rounded = np.round(ring, precision)
    keep = np.ones(len(rounded), dtype=bool)
    keep[1:] = np.any(rounded[1:] != rounded[:-1], axis=1)
    points: Ring = rounded[keep].tolist()
    if points and points[0] != points[-1]:
        points.append(points[0])  # GeoJSON rings must be closed
    return points if len(points) >= 4 else None


def _round_polygons(polygons: list[_RawPolygon], precision: int) -> list[list[Ring]]:
    kept = []
    for polygon in polygons:
        exterior = _round_ring(polygon[0], precision)
        if exterior is None:
            continue  # an island that shrank to nothing takes its holes with it
        holes = [hole for ring in polygon[1:] if (hole := _round_ring(ring, precision))]
        kept.append([exterior, *holes])
    return kept


def _simplified_geometry(polygons: list[_RawPolygon], precision: int) -> dict[str, Any]:
    # Small states (DC at one decimal) could vanish entirely; give them more digits alone.
    for digits in range(precision, 7):
        kept = _round_polygons(polygons, digits)
        if kept:
            break
    if len(kept) == 1:
        return {"type": "Polygon", "coordinates": kept[0]}
    return {"type": "MultiPolygon", "coordinates": kept}


@functools.lru_cache(maxsize=8)
@gc_paused
def _state_boundaries(precision: int) -> dict[str, Any]:
    features = [
        {
            "type": "Feature",
            "id": code,
            "properties": {"code": code, "name": STATE_NAMES[code]},
            "geometry": _simplified_geometry(polygons, precision),
        }
        for code, polygons in sorted(_raw_state_polygons().items())
    ]
    return {"type": "FeatureCollection", "features": features}


def state_boundaries_geojson(*, precision: int = 2) -> dict[str, Any]:
    """FeatureCollection of the 50 states + DC with properties {"code", "name"}.

    Coordinates are rounded to ``precision`` decimals (2 ≈ 1 km, about 2 MB of JSON; 1 ≈ 10 km,
    about 0.3 MB). The result is cached and shared: do not mutate it.
    """
    if not 0 <= precision <= 6:
        raise ValueError(f"precision must be between 0 and 6, got {precision}")
    # A separate cached helper, because lru_cache would key f() and f(precision=2) apart.
    return _state_boundaries(precision)


# --------------------------------------------------------------------------- point in state

_Box = tuple[float, float, float, float]  # min lon, min lat, max lon, max lat


def _box(xs: np.ndarray, ys: np.ndarray) -> _Box:
    return float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())


def _in_box(box: _Box, x: float, y: float) -> bool:
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


# Precision 2 (~1 km) is ample for "which state" and keeps every ring test small.
@functools.lru_cache(maxsize=1)
def _state_rings() -> list[tuple[str, _Box, list[tuple[_Box, np.ndarray, np.ndarray]]]]:
    states = []
    for feature in _state_boundaries(2)["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"]
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        rings = []
        for ring in (ring for polygon in polygons for ring in polygon):
            xs, ys = np.asarray(ring, dtype=float).T
            rings.append((_box(xs, ys), xs, ys))
        all_xs = np.concatenate([r[1] for r in rings])
        all_ys = np.concatenate([r[2] for r in rings])
        states.append((feature["properties"]["code"], _box(all_xs, all_ys), rings))
    return states


def _ring_contains(xs: np.ndarray, ys: np.ndarray, x: float, y: float) -> bool:
    """Even-odd ray casting: count edges crossed by a ray going east from (x, y)."""
    x1, y1, x2, y2 = xs[:-1], ys[:-1], xs[1:], ys[1:]
    straddles = (y1 > y) != (y2 > y)  # also rules out horizontal edges, so no division by 0
    x1, y1, x2, y2 = x1[straddles], y1[straddles], x2[straddles], y2[straddles]
    crossing_x = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
    return bool(np.count_nonzero(x < crossing_x) % 2)


def state_of_point(latitude: float, longitude: float) -> str | None:
    """Two-letter code of the state containing the point (boundaries at ~1 km precision);
    None at sea or outside the 50 states + DC."""
    for code, state_box, rings in _state_rings():
        if not _in_box(state_box, longitude, latitude):
            continue
        # Holes and separate islands combine by parity; a ring whose box misses the point
        # cannot contain it, so skipping it leaves the parity unchanged.
        inside = False
        for ring_box, xs, ys in rings:
            if _in_box(ring_box, longitude, latitude) and _ring_contains(
                xs, ys, longitude, latitude
            ):
                inside = not inside
        if inside:
            return code
    return None
