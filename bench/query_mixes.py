"""Query mixes that exercise the hard cases, chosen from the directory being measured.

* Keywords: common words (in a fifth to two thirds of the partners: big posting lists) and
  rare ones (in at most 1 partner in 5,000: tiny lists), taken from the directory's own
  vocabulary, so the mix means the same thing at every size.
* Radius: dense areas (the big metros) and sparse ones (gazetteer ZIPs with the fewest
  partner locations within the radius where the query still finds someone).
* Teams: a pool of need sets x metros x levels is classified by the size of its best team
  (one run of the core per query, untimed), then the mix takes queries round-robin from the
  sizes 1, 2 and 3, so teams of two and three members are a known share of it (reported).

Everything is deterministic: the same directory gives the same mix.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np

from bench.floor import floor_rows
from core.geo.places import _index as gazetteer  # the offline ZIP table, read-only
from core.search.index import ReadIndex
from core.search.query import SearchQuery
from core.search.ranking import KM_PER_DEGREE
from core.teams.finder import find_teams_in_index
from core.teams.query import TeamQuery

METRO_ZIPS = [
    "78701", "10001", "60601", "94103", "30303", "98101", "02108", "80202", "33130",
    "85004", "19103", "48226", "55401", "63101", "37203", "28202", "97204", "89101",
]  # fmt: skip
TEAM_NEED_SETS = [
    ["security", "cloud", "storage_backup", "networking", "financing", "print_services"],
    ["managed_it", "productivity", "collaboration", "telecom", "mobile", "insurance"],
    ["hardware", "business_apps", "data_analytics", "iot", "logistics", "security"],
    ["networking", "telecom", "cloud", "managed_it", "insurance", "financing"],
    ["iot", "logistics", "insurance", "print_services", "data_analytics", "mobile", "hardware"],
    ["business_apps", "financing", "collaboration", "storage_backup", "telecom", "iot",
     "logistics", "insurance"],
]  # fmt: skip


def _words(index: ReadIndex) -> tuple[list[str], np.ndarray]:
    tokens = index.token_index()
    counts = np.diff(tokens.starts)
    return tokens.vocabulary, counts


def common_keywords(index: ReadIndex, count: int = 8) -> list[str]:
    """Alphabetic words in 20–67 % of the partners, most frequent first."""
    vocabulary, counts = _words(index)
    share = counts / max(index.size, 1)
    picked = [
        (int(-counts[i]), vocabulary[i])
        for i in np.flatnonzero((share >= 0.2) & (share <= 0.67))
        if vocabulary[i].isalpha() and len(vocabulary[i]) >= 4
    ]
    return [word for _, word in sorted(picked)[:count]]


def rare_keywords(index: ReadIndex, count: int = 8) -> list[str]:
    """Alphabetic words in at most 1 partner in 5,000 (at least 1), spread over the range."""
    vocabulary, counts = _words(index)
    limit = max(2, index.size // 5000)
    picked = [
        vocabulary[i]
        for i in np.flatnonzero((counts >= 1) & (counts <= limit))
        if vocabulary[i].isalpha() and len(vocabulary[i]) >= 5
    ]
    if not picked:
        return []
    step = max(1, len(picked) // count)
    return picked[::step][:count]


def sparse_zips(
    index: ReadIndex,
    *,
    radius_km: float,
    count: int = 8,
    matching: Callable[[str], SearchQuery] | None = None,
) -> list[str]:
    """ZIPs (of every 50th in the gazetteer) with the fewest locations within the box; with
    ``matching``, only ZIPs where that query finds someone (a sparse area, not an empty one)."""
    zips = sorted(gazetteer().zips.items())[::50]
    order = np.argsort(index.loc_latitude, kind="stable")
    lat, lon = index.loc_latitude[order], index.loc_longitude[order]
    scored = []
    for code, (_, _, z_lat, z_lon) in zips:
        lo, hi = np.searchsorted(lat, [z_lat - radius_km / KM_PER_DEGREE,
                                       z_lat + radius_km / KM_PER_DEGREE])  # fmt: skip
        span = radius_km / (KM_PER_DEGREE * max(np.cos(np.radians(z_lat)), 0.01))
        inside = int((np.abs(lon[lo:hi] - z_lon) <= span).sum())
        if inside:
            scored.append((inside, code))
    picked: list[str] = []
    for _, code in sorted(scored):
        if len(picked) == count:
            break
        if matching is None or floor_rows(index, matching(code)).size:
            picked.append(code)
    return picked


def team_mix(
    index: ReadIndex, *, runs: int, extra: dict[str, Any] | None = None
) -> tuple[list[TeamQuery], dict[str, Any]]:
    """``runs`` team queries, round-robin over best-team sizes 1, 2, 3, and the shares."""
    by_size: dict[str, list[TeamQuery]] = {"1": [], "2": [], "3": [], "none": []}
    for level in (2, 3):
        for needs in TEAM_NEED_SETS:
            for zip_code in METRO_ZIPS:
                query = TeamQuery(
                    needs=needs, near=zip_code, radius_km=80, max_size=3, min_level=level,
                    **(extra or {}),
                )  # fmt: skip
                size = find_teams_in_index(index, query).size
                by_size["none" if size is None else str(size)].append(query)
    mix: list[TeamQuery] = []
    cursor = dict.fromkeys(by_size, 0)
    while len(mix) < runs and any(cursor[k] < len(by_size[k]) for k in ("1", "2", "3")):
        for key in ("1", "2", "3"):
            if cursor[key] < len(by_size[key]) and len(mix) < runs:
                mix.append(by_size[key][cursor[key]])
                cursor[key] += 1
    taken = Counter({k: cursor[k] for k in ("1", "2", "3")})
    shares = {
        "pool": {k: len(v) for k, v in by_size.items()},
        "mix": dict(taken),
        "share_of_mix": {k: round(v / max(len(mix), 1), 3) for k, v in taken.items()},
    }
    return mix, shares
