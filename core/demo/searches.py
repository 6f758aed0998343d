"""Demo anonymous searches: a few thousand, concentrated in some states and needs.

They are drawn after every partner is written (core.demo.leads.ActivityWriter keeps what
they need), so their result counts match the directory.
"""

from __future__ import annotations

import random
from datetime import timedelta

import numpy as np
from sqlalchemy import Connection, insert
from sqlmodel import Session

from core import models as m
from core.demo.leads import ActivityWriter, pick
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


def write_search_events(
    *, connection: Connection | Session, places: DemoPlaces, activity: ActivityWriter
) -> int:
    """Write the searches around the partners ``activity`` wrote; returns how many.

    result_count is what a plain radius search over partner locations finds, so the
    rural and niche searches that find 0–2 partners show up as unmet demand.
    """
    written = activity.written()
    if written is None:
        return 0
    taxonomy = get_taxonomy()
    rng = np.random.default_rng([activity.seed, 2])
    pr = random.Random(int(rng.integers(1 << 62)))
    lat, lon = written.latitude, written.longitude
    owner, levels = written.owner, written.levels
    order = np.argsort(lat, kind="stable")
    lat, lon, owner = lat[order], lon[order], owner[order]
    states = sorted(places.by_state)
    weight = np.array([places.by_state[s][1][-1] for s in states])
    weight[rng.choice(len(states), size=6, replace=False)] *= 3.0  # hot markets
    hot_need = {s: pr.choice(taxonomy.area_keys) for s in states}
    column = {k: j for j, k in enumerate(taxonomy.area_keys)}
    n_events = int(min(6000, max(1000, 2 * written.count)))
    picks = rng.choice(len(states), size=n_events, p=weight / weight.sum())
    rows = []
    for state_index in picks:
        state = states[int(state_index)]
        row = int(places.sample_in_state(state, np.array([pr.random()]))[0])
        e_lat, e_lon = float(places.lat[row]), float(places.lon[row])
        demand = {
            k: DEMAND.get(k, 1.0) * (4.0 if k == hot_need[state] else 1.0)
            for k in taxonomy.area_keys
        }
        needs: list[str] = []
        for _ in range(pr.choice((1, 1, 2, 2, 3))):
            needs.append(pick(pr, {k: v for k, v in demand.items() if k not in needs}))
        radius = pr.choice((25.0, 40.0, 50.0, 50.0, 80.0, 100.0, 150.0))
        min_level = pick(pr, {"1": 0.15, "2": 0.65, "3": 0.20})
        lo, hi = np.searchsorted(lat, [e_lat - radius / 110.0, e_lat + radius / 110.0])
        near = haversine_km(e_lat, e_lon, lat[lo:hi], lon[lo:hi]) <= radius
        found = np.unique(owner[lo:hi][near])
        cols = [column[k] for k in needs]
        count = int((levels[found][:, cols] >= int(min_level)).all(axis=1).sum())
        rows.append(
            {
                "at": activity.now - timedelta(seconds=int(365 * 86400 * pr.random())),
                "needs": [k for k in taxonomy.area_keys if k in needs],
                "min_level": int(min_level),
                "state": state,
                "latitude": e_lat,
                "longitude": e_lon,
                "radius_km": radius,
                "result_count": count,
            }
        )
    connection.execute(insert(table_of(m.SearchEvent)), rows)
    return len(rows)
