"""Great-circle distances between points given in degrees, for scalars and arrays alike."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius


def haversine_km(
    lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike
) -> float | np.ndarray:
    """Great-circle distance in km between points given in degrees.

    Arrays (or pandas Series) broadcast like any NumPy expression, so one origin against a
    column of partners is a single call; all-scalar input gives a plain float.
    """
    phi1, lam1, phi2, lam2 = (
        np.radians(np.asarray(v, dtype=float)) for v in (lat1, lon1, lat2, lon2)
    )
    a = (
        np.sin((phi2 - phi1) / 2) ** 2
        + np.cos(phi1) * np.cos(phi2) * np.sin((lam2 - lam1) / 2) ** 2
    )
    # Rounding can push a hair above 1 for antipodal points; arcsin would return NaN.
    distance = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return float(distance) if distance.ndim == 0 else distance
