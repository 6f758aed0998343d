"""A ReadIndex assembled in memory, for unit tests that need no database.

Only the columns a test cares about are passed; every other column gets a neutral value:
one location per partner (its headquarters), no service area, segments, vendors or
verification, and names "Partner 0", "Partner 1", … unless given.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
import pyarrow as pa

from core.search.index import ReadIndex
from core.taxonomy import get_taxonomy


def hand_made_index(
    *,
    hq_latitude: np.ndarray,
    hq_longitude: np.ndarray,
    hq_city: Sequence[str],
    built_for_day: date,
    names: Sequence[str] | None = None,
    **columns: Any,
) -> ReadIndex:
    """A ReadIndex of ``len(hq_latitude)`` partners; ``columns`` override the neutral defaults."""
    taxonomy = get_taxonomy()
    n, areas = len(hq_latitude), len(taxonomy.area_keys)
    names = list(names) if names is not None else [f"Partner {i}" for i in range(n)]
    fields: dict[str, Any] = {
        "data_version": 1,
        "built_for_day": built_for_day,
        "build_seconds": 0.0,
        "area_keys": taxonomy.area_keys,
        "technology_columns": np.asarray([a.group == "technology" for a in taxonomy.areas]),
        "partner_ids": np.arange(1, n + 1, dtype=np.int64),
        "names": pa.array(names, type=pa.large_string()),
        "search_text": pa.array([x.lower() for x in names], type=pa.large_string()),
        "hq_city": pa.array(list(hq_city), type=pa.string()),
        "claimed": np.zeros((n, areas), dtype=np.int8),
        "evidenced": np.zeros((n, areas), dtype=np.int8),
        "hq_latitude": hq_latitude,
        "hq_longitude": hq_longitude,
        "service_radius_km": np.zeros(n, dtype=np.float32),
        "states_served": np.zeros(n, dtype=np.uint64),
        "location_states": np.zeros(n, dtype=np.uint64),
        "segments": np.zeros(n, dtype=np.uint8),
        "vendors": np.zeros(n, dtype=np.uint64),
        "vendor_names": (),
        "freshness_ts": np.zeros(n),
        "updated_ts": np.zeros(n),
        "verified_ts": np.full(n, np.nan),
        "loc_row": np.arange(n, dtype=np.int32),
        "loc_latitude": hq_latitude.copy(),
        "loc_longitude": hq_longitude.copy(),
        "loc_state": np.zeros(n, dtype=np.int8),
    }
    fields.update(columns)
    return ReadIndex(**fields)
