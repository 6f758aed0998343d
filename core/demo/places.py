"""Where demo partners sit: every active street ZIP, weighted like the real channel.

Shared by the partner generator (``core.demo.profiles``) and the demo searches
(``core.demo.searches``), and cached because reading the ZIP table is the slow part.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from core.geo.distance import haversine_km
from core.geo.zip_data import state_centroids, zip_places


@dataclass(frozen=True)
class DemoPlaces:
    zip_code: np.ndarray
    city: np.ndarray
    state: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    cum_weight: np.ndarray
    by_state: dict[str, tuple[np.ndarray, np.ndarray]]  # state -> (ZIP rows, cumulative weights)
    nearby: dict[str, tuple[str, ...]]

    def sample(self, u: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.cum_weight, u * self.cum_weight[-1], side="right")

    def sample_in_state(self, state: str, u: np.ndarray) -> np.ndarray:
        rows, cum = self.by_state[state]
        return rows[np.searchsorted(cum, u * cum[-1], side="right")]


@lru_cache(maxsize=1)
def demo_places() -> DemoPlaces:
    """Every active street ZIP, weighted by how many ZIPs its city has (a size proxy)."""
    df = zip_places().sort_values("zip_code", kind="stable").reset_index(drop=True)
    city_key = df["city"] + "|" + df["state"]
    # ZIP weight = (ZIPs in its city)^0.8, so a city weighs about its ZIP count^1.8: big
    # metros dominate as in the real channel, and small towns still get the odd partner.
    weight = city_key.map(city_key.value_counts()).to_numpy(dtype=float) ** 0.8
    state = df["state"].to_numpy()
    by_state = {}
    for code in sorted(set(state)):
        rows = np.flatnonzero(state == code)
        by_state[code] = (rows, np.cumsum(weight[rows]))
    centroids = state_centroids()
    nearby = {}
    for code, (lat, lon) in centroids.items():
        dist = {
            other: float(haversine_km(lat, lon, *point))
            for other, point in centroids.items()
            if other != code
        }
        ranked = sorted(dist, key=lambda s: (dist[s], s))
        nearby[code] = tuple(s for s in ranked if dist[s] < 550) or tuple(ranked[:1])
    return DemoPlaces(
        zip_code=df["zip_code"].to_numpy(),
        city=df["city"].to_numpy(),
        state=state,
        lat=df["latitude"].to_numpy(dtype=float),
        lon=df["longitude"].to_numpy(dtype=float),
        cum_weight=np.cumsum(weight),
        by_state=by_state,
        nearby=nearby,
    )
