"""Demo anonymous searches: two per partner, concentrated in some states and needs.

They are drawn after every partner is written (core.demo.leads.ActivityWriter keeps what
they need), so their result counts match the directory.
"""

from __future__ import annotations

import math
import random
from datetime import timedelta

import numpy as np
from sqlalchemy import Connection, insert
from sqlmodel import Session

from core import models as m
from core.demo.leads import ActivityWriter, WrittenPartners, pick
from core.demo.places import DemoPlaces
from core.geo.distance import haversine_km
from core.tables import table_of
from core.taxonomy import get_taxonomy

# How often each need is searched for, relative to the others.
DEMAND = {
    "security": 3.0,
    "cloud": 2.5,
    "managed_it": 2.5,
    "networking": 2.0,
    "productivity": 2.0,
    "storage_backup": 1.5,
    "hardware": 1.5,
    "telecom": 1.0,
    "collaboration": 1.0,
    "business_apps": 1.0,
    "mobile": 0.8,
    "data_analytics": 0.8,
    "iot": 0.6,
    "insurance": 0.6,
    "financing": 0.5,
    "print_services": 0.4,
    "logistics": 0.3,
}


# Anonymous searches per partner a year: the demo's 2,000 partners get 4,000.
EVENTS_PER_PARTNER = 2
MIN_EVENTS = 1000
INSERT_BATCH = 20_000


def write_search_events(
    *, connection: Connection | Session, places: DemoPlaces, activity: ActivityWriter
) -> int:
    """Write the searches around the partners ``activity`` wrote; returns how many.

    As many as the partners times EVENTS_PER_PARTNER (at least MIN_EVENTS), so a million
    partners get the demo's density. result_count is what a plain radius search over
    partner locations finds, so the rural and niche searches that find 0–2 partners show
    up as unmet demand.
    """
    written = activity.written()
    if written is None:
        return 0
    taxonomy = get_taxonomy()
    rng = np.random.default_rng([activity.seed, 2])
    pr = random.Random(int(rng.integers(1 << 62)))
    states = sorted(places.by_state)
    weight = np.array([places.by_state[s][1][-1] for s in states])
    weight[rng.choice(len(states), size=6, replace=False)] *= 3.0  # hot markets
    hot_need = {s: pr.choice(taxonomy.area_keys) for s in states}
    bit = {k: 1 << j for j, k in enumerate(taxonomy.area_keys)}
    n_events = int(max(MIN_EVENTS, EVENTS_PER_PARTNER * written.count))
    picks = rng.choice(len(states), size=n_events, p=weight / weight.sum())
    # First every event's draws, in the demo's order (so a seed gives the same searches);
    # then their result counts, grouped by place (a million partners, millions of searches).
    place = np.empty(n_events, dtype=np.int64)
    radius = np.empty(n_events, dtype=np.float64)
    need_bits = np.empty(n_events, dtype=np.int64)
    min_level = np.empty(n_events, dtype=np.int8)
    rows = []
    for e, state_index in enumerate(picks):
        state = states[int(state_index)]
        place[e] = int(places.sample_in_state(state, np.array([pr.random()]))[0])
        demand = {
            k: DEMAND.get(k, 1.0) * (4.0 if k == hot_need[state] else 1.0)
            for k in taxonomy.area_keys
        }
        needs: list[str] = []
        for _ in range(pr.choice((1, 1, 2, 2, 3))):
            needs.append(pick(pr, {k: v for k, v in demand.items() if k not in needs}))
        radius[e] = pr.choice((25.0, 40.0, 50.0, 50.0, 80.0, 100.0, 150.0))
        min_level[e] = int(pick(pr, {"1": 0.15, "2": 0.65, "3": 0.20}))
        need_bits[e] = sum(bit[k] for k in needs)
        rows.append(
            {
                "at": activity.now - timedelta(seconds=int(365 * 86400 * pr.random())),
                "needs": [k for k in taxonomy.area_keys if k in needs],
                "min_level": int(min_level[e]),
                "state": state,
                "latitude": float(places.lat[place[e]]),
                "longitude": float(places.lon[place[e]]),
                "radius_km": float(radius[e]),
            }
        )
    counts = _result_counts(written, places, place, radius, need_bits, min_level)
    for row, count in zip(rows, counts.tolist(), strict=True):
        row["result_count"] = count
    for first in range(0, len(rows), INSERT_BATCH):
        connection.execute(insert(table_of(m.SearchEvent)), rows[first : first + INSERT_BATCH])
    return len(rows)


def _result_counts(
    written: WrittenPartners,
    places: DemoPlaces,
    place: np.ndarray,
    radius: np.ndarray,
    need_bits: np.ndarray,
    min_level: np.ndarray,
) -> np.ndarray:
    """Per event: partners with a location within its radius and every need at its level."""
    # Locations bucketed in one-degree cells, cells ordered by (latitude row, longitude
    # column): a place's candidates are a few contiguous runs, not a band across the country.
    cell = _cell(written.latitude, written.longitude)
    by_cell = np.argsort(cell, kind="stable")
    cell, lat, lon = cell[by_cell], written.latitude[by_cell], written.longitude[by_cell]
    owner = written.owner[by_cell]
    # Per partner and level, the areas it offers at that level or above, one bit each.
    at_level = [
        ((written.levels >= level).astype(np.int64) << np.arange(written.levels.shape[1])).sum(
            axis=1
        )
        for level in range(4)
    ]
    counts = np.zeros(len(place), dtype=np.int64)
    order = np.argsort(place, kind="stable")
    bounds = np.flatnonzero(np.diff(place[order])) + 1
    for group in np.split(order, bounds):
        here = int(place[group[0]])
        p_lat, p_lon = float(places.lat[here]), float(places.lon[here])
        widest = float(radius[group].max())
        d_lat = widest / 110.0
        d_lon = widest / (110.0 * max(0.1, math.cos(math.radians(min(89.0, abs(p_lat) + d_lat)))))
        runs = [
            np.arange(*np.searchsorted(cell, _cell_pair(row, p_lon - d_lon, p_lon + d_lon)))
            for row in range(math.floor(p_lat - d_lat), math.floor(p_lat + d_lat) + 1)
        ]
        candidates = np.concatenate(runs)
        distance = np.asarray(haversine_km(p_lat, p_lon, lat[candidates], lon[candidates]))
        near = distance <= widest
        owners, distance = owner[candidates][near], distance[near]
        # Each partner at its nearest location, nearest first.
        by_owner = np.lexsort((distance, owners))
        owners, distance = owners[by_owner], distance[by_owner]
        first = np.ones(len(owners), dtype=bool)
        first[1:] = owners[1:] != owners[:-1]
        owners, distance = owners[first], distance[first]
        nearest = np.argsort(distance, kind="stable")
        owners, distance = owners[nearest], distance[nearest]
        offered = [bits[owners] for bits in at_level]
        for e in group.tolist():
            within = int(np.searchsorted(distance, radius[e], side="right"))
            wanted = int(need_bits[e])
            counts[e] = int(((offered[min_level[e]][:within] & wanted) == wanted).sum())
    return counts


def _cell(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    return (np.floor(lat).astype(np.int64) + 90) * 1000 + (np.floor(lon).astype(np.int64) + 360)


def _cell_pair(row: int, lon_lo: float, lon_hi: float) -> list[int]:
    """The [first, past-last) cell ids of one latitude row between two longitudes."""
    base = (row + 90) * 1000
    return [base + math.floor(lon_lo) + 360, base + math.floor(lon_hi) + 361]
