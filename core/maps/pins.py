"""Where the regional map pins each matching partner: the office that matched the search.

Without a place a partner is pinned at its headquarters. With a place, a partner is pinned at
every office inside the search radius (a branch 6 km away, not the headquarters 300 km away);
a partner that matched through its service area, with no office inside the radius, is pinned
at its office nearest to the place. A partner may thus have several pins. Pure NumPy over the
read index: no folium or Streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.geo.distance import haversine_km
from core.geo.places import Place
from core.search.index import ReadIndex
from core.search.ranking import Matches


@dataclass(frozen=True)
class PinPositions:
    """The pins of the matching partners, one entry per pin, ordered by partner.

    ``rows``: index row of the pin's partner; ``match``: its position in ``Matches.rows`` (for
    the aligned distance and service-area flags); ``loc``: the index location the pin stands
    at; ``distance_km``: the pin's own distance from the place (None without a place).
    """

    rows: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    match: np.ndarray
    loc: np.ndarray
    distance_km: np.ndarray | None = None

    @classmethod
    def of(
        cls,
        index: ReadIndex,
        matches: Matches,
        place: Place | None = None,
        radius_km: float | None = None,
    ) -> PinPositions:
        if place is None or radius_km is None:
            return headquarters_pins(index, matches)
        return matched_office_pins(index, matches, place, radius_km)


def _position_of_row(index: ReadIndex, matches: Matches) -> np.ndarray:
    """For every index row its position in ``matches.rows``, -1 for rows that do not match."""
    position = np.full(index.size, -1, dtype=np.int64)
    position[np.asarray(matches.rows, dtype=np.int64)] = np.arange(matches.rows.size)
    return position


def _pins(
    index: ReadIndex, locs: np.ndarray, position: np.ndarray, km: np.ndarray | None
) -> PinPositions:
    order = np.argsort(index.loc_row[locs], kind="stable")
    locs = locs[order]
    rows = index.loc_row[locs].astype(np.int64)
    return PinPositions(
        rows=rows,
        lat=index.loc_latitude[locs],
        lon=index.loc_longitude[locs],
        match=position[rows],
        loc=locs,
        distance_km=None if km is None else km[order],
    )


def headquarters_pins(index: ReadIndex, matches: Matches) -> PinPositions:
    """One pin per matching partner that has a location, at its headquarters (the first)."""
    position = _position_of_row(index, matches)
    first = np.r_[True, index.loc_row[1:] != index.loc_row[:-1]] if index.loc_row.size else []
    hq = np.flatnonzero(first)
    hq = hq[position[index.loc_row[hq]] >= 0]
    hq = hq[np.isfinite(index.loc_latitude[hq]) & np.isfinite(index.loc_longitude[hq])]
    km = None
    if matches.distance_km is not None:
        km = np.asarray(matches.distance_km, dtype=float)[position[index.loc_row[hq]]]
    return _pins(index, hq, position, km)


def matched_office_pins(
    index: ReadIndex, matches: Matches, place: Place, radius_km: float
) -> PinPositions:
    """Every office within ``radius_km`` of the place; the nearest office for a partner with
    none inside (one that matched through its service area)."""
    position = _position_of_row(index, matches)
    locs = np.flatnonzero(position[index.loc_row] >= 0) if index.loc_row.size else np.zeros(0)
    locs = locs.astype(np.int64)
    locs = locs[np.isfinite(index.loc_latitude[locs]) & np.isfinite(index.loc_longitude[locs])]
    km = np.asarray(
        haversine_km(
            place.latitude, place.longitude, index.loc_latitude[locs], index.loc_longitude[locs]
        ),
        dtype=float,
    )
    inside = km <= radius_km
    has_inside = np.zeros(matches.rows.size, dtype=bool)
    has_inside[position[index.loc_row[locs[inside]]]] = True
    outside = ~has_inside[position[index.loc_row[locs]]]
    # Of each remaining partner's offices, the nearest: sort by (partner, km), keep the first.
    far, far_km = locs[outside], km[outside]
    order = np.lexsort((far_km, index.loc_row[far]))
    far_rows = index.loc_row[far][order]
    first = np.r_[True, far_rows[1:] != far_rows[:-1]] if far_rows.size else np.zeros(0, bool)
    nearest = order[first]
    picked = np.concatenate([locs[inside], far[nearest]])
    picked_km = np.concatenate([km[inside], far_km[nearest]])
    return _pins(index, picked, position, picked_km)
