"""A floor for the search benchmark: the least work any correct search must do.

Over the same in-memory columns the core reads (the read index, already built), a floor
query touches only the columns the query reads and stops at the set of matches:

* with a place: the bounding box over the location coordinates first, then the needs and
  the keyword only for the partners inside it, then the exact distance for those left;
* without a place: the keyword's postings (or, with no keyword, each need's column), then
  the needs for those rows only;
* no scoring, no ordering, no page, no explanation: it returns the matching rows.

Every correct implementation must at least find the matching set, so the core may approach
this figure but never beat it; the benchmark flags a query where it does (then the floor is
wrong, not the core fast).
"""

from __future__ import annotations

import numpy as np

from core.geo.distance import haversine_km
from core.search.index import ReadIndex
from core.search.query import SearchQuery
from core.search.ranking import KM_PER_DEGREE, resolve_query_place
from core.search.token_index import split_words


def _meets(index: ReadIndex, rows: np.ndarray, query: SearchQuery) -> np.ndarray:
    keep = np.ones(rows.size, dtype=bool)
    for need in query.needs:
        col = index.column(need)
        level = np.maximum(index.claimed[rows, col], index.evidenced[rows, col])
        keep &= level >= query.min_level
    return keep


def _keyword_rows(index: ReadIndex, keyword: str) -> np.ndarray | None:
    """Rows holding every word as a word prefix (None: the keyword has no word)."""
    words = sorted(set(split_words(keyword.lower())))
    if not words:
        return None
    tokens = index.token_index()
    found: np.ndarray | None = None
    for word in words:
        start, stop = tokens.prefix_range(word)
        mask = _marked(index, tokens.rows[start:stop])
        found = mask if found is None else found & mask
    return None if found is None else np.flatnonzero(found)


def _marked(index: ReadIndex, postings: np.ndarray) -> np.ndarray:
    mask = np.zeros(index.size, dtype=bool)
    mask[postings] = True
    return mask


def floor_rows(index: ReadIndex, query: SearchQuery) -> np.ndarray:
    """Index rows of every partner the query matches (unordered)."""
    extra = {"needs", "min_level", "near", "radius_km", "keyword", "sort", "page", "page_size"}
    if query.model_dump(exclude=extra) != SearchQuery().model_dump(exclude=extra):
        raise ValueError("the floor covers needs, place/radius and keyword only")
    place = resolve_query_place(query)
    if place is None:
        rows = _keyword_rows(index, query.keyword) if query.keyword else None
        if rows is None:
            if not query.needs:
                return np.arange(index.size)
            col = index.column(query.needs[0])
            first = np.maximum(index.claimed[:, col], index.evidenced[:, col])
            rows = np.flatnonzero(first >= query.min_level)
        return rows[_meets(index, rows, query)]
    lat_span = query.radius_km / KM_PER_DEGREE
    lon_span = query.radius_km / (KM_PER_DEGREE * max(np.cos(np.radians(place.latitude)), 0.01))
    boxed = np.flatnonzero(
        (np.abs(index.loc_latitude - place.latitude) <= lat_span)
        & (np.abs(index.loc_longitude - place.longitude) <= lon_span)
    )
    rows = index.loc_row[boxed]
    keep = _meets(index, rows, query)
    if query.keyword:
        words = _keyword_rows(index, query.keyword)
        if words is not None:
            keep &= np.isin(rows, words)
    boxed, rows = boxed[keep], rows[keep]
    km = haversine_km(
        place.latitude, place.longitude, index.loc_latitude[boxed], index.loc_longitude[boxed]
    )
    return np.unique(rows[np.asarray(km) <= query.radius_km])
