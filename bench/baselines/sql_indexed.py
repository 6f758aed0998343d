"""The indexed-SQL baseline: what a capable engineer would write against SQLite.

* Radius: the bounding box is answered by the covering (latitude, longitude) index (or,
  ``spatial="rtree"``, by an R*Tree over both axes), each
  need is checked by a primary-key lookup in the effective-level table, and only the rows
  left get the exact great-circle distance (NumPy); count, then the 20 nearest.
* Keywords: FTS5 prefix queries ("back" finds "backup", every word must match, as in the
  core); count, then the first 20 (unranked: ordering by bm25 cost 10x more at 100k, and
  the fastest correct answer is the fairest baseline).
* Needs without a place: the (area, level) index gives each need's partners; INTERSECT.

Ranking is at most the engine's natural one (distance), never the core's five-part score,
so the baseline does no more than the core: the comparison can only flatter the baseline.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import numpy as np

from core.geo.distance import haversine_km
from core.search.query import SearchQuery
from core.search.ranking import KM_PER_DEGREE, resolve_query_place
from core.search.token_index import split_words

PAGE = 20


def fts_expression(keyword: str) -> str | None:
    """Every word as a quoted FTS5 prefix term, implicitly ANDed (None: no word at all)."""
    words = split_words(keyword.lower())
    return " ".join(f'"{w.replace(chr(34), "")}"*' for w in words) or None


_COVERED = {"needs", "min_level", "near", "radius_km", "keyword", "sort", "page", "page_size"}


def _unsupported(query: SearchQuery) -> None:
    if query.model_dump(exclude=_COVERED) != SearchQuery().model_dump(exclude=_COVERED):
        raise ValueError("the SQL baseline covers needs, place/radius and keyword only")


def _need_clauses(query: SearchQuery, column: str, params: list[Any]) -> list[str]:
    clauses = []
    for need in query.needs:
        clauses.append(
            f"EXISTS (SELECT 1 FROM level v WHERE v.partner_id = {column} "
            "AND v.area_key = ? AND v.level >= ?)"
        )
        params += [need, query.min_level]
    return clauses


def _keyword_clause(query: SearchQuery, column: str, params: list[Any]) -> list[str]:
    expression = fts_expression(query.keyword) if query.keyword else None
    if expression is None:
        return []
    params.append(expression)
    return [f"{column} IN (SELECT rowid FROM fts WHERE fts MATCH ?)"]


SPATIAL = ("btree", "rtree")
# R*Tree bounds are float32: widen the box by more than their rounding, then filter exactly.
_RTREE_SLACK_DEG = 1e-3


def radius_matches(
    conn: sqlite3.Connection, query: SearchQuery, *, spatial: str = "btree"
) -> tuple[np.ndarray, np.ndarray]:
    """(partner ids, nearest km) of every match, unordered. ``spatial``: the composite
    (latitude, longitude) B-tree index, or the R*Tree."""
    place = resolve_query_place(query)
    assert place is not None
    lat_span = query.radius_km / KM_PER_DEGREE
    lon_span = query.radius_km / (KM_PER_DEGREE * max(np.cos(np.radians(place.latitude)), 0.01))
    params: list[Any] = [
        place.latitude - lat_span, place.latitude + lat_span,
        place.longitude - lon_span, place.longitude + lon_span,
    ]  # fmt: skip
    if spatial == "rtree":
        params = [
            p + (_RTREE_SLACK_DEG if i % 2 else -_RTREE_SLACK_DEG) for i, p in enumerate(params)
        ]
        where = ["l.min_lat >= ? AND l.max_lat <= ?", "l.min_lon >= ? AND l.max_lon <= ?"]
        table = "loc_rtree"
    else:
        where = ["l.latitude BETWEEN ? AND ?", "l.longitude BETWEEN ? AND ?"]
        table = "loc"
    where += _need_clauses(query, "l.partner_id", params)
    where += _keyword_clause(query, "l.partner_id", params)
    sql = f"SELECT l.partner_id, l.latitude, l.longitude FROM {table} l WHERE {' AND '.join(where)}"
    rows = np.asarray(conn.execute(sql, params).fetchall(), dtype=np.float64).reshape(-1, 3)
    if spatial == "rtree":  # back to the exact box the core uses
        box = np.asarray(params[:4]) + _RTREE_SLACK_DEG * np.array([1, -1, 1, -1])
        rows = rows[
            (rows[:, 1] >= box[0]) & (rows[:, 1] <= box[1])
            & (rows[:, 2] >= box[2]) & (rows[:, 2] <= box[3])
        ]  # fmt: skip
    km = np.asarray(haversine_km(place.latitude, place.longitude, rows[:, 1], rows[:, 2]))
    inside = km <= query.radius_km
    ids, km = rows[inside, 0].astype(np.int64), km[inside]
    order = np.lexsort((km, ids))  # per partner, its nearest location first
    ids, km = ids[order], km[order]
    first = np.r_[True, ids[1:] != ids[:-1]] if ids.size else np.zeros(0, bool)
    return ids[first], km[first]


def _country_sql(query: SearchQuery, params: list[Any]) -> str:
    parts = []
    for need in query.needs:
        parts.append("SELECT partner_id FROM level WHERE area_key = ? AND level >= ?")
        params += [need, query.min_level]
    expression = fts_expression(query.keyword) if query.keyword else None
    if expression is not None:
        parts.append("SELECT rowid FROM fts WHERE fts MATCH ?")
        params.append(expression)
    if not parts:
        parts.append("SELECT id FROM src.partner")
    return " INTERSECT ".join(parts)


def search(
    conn: sqlite3.Connection, query: SearchQuery, *, spatial: str = "btree"
) -> tuple[int, list[int]]:
    """(total, the first page of partner ids) — what a results page needs."""
    _unsupported(query)
    if query.near is not None:
        ids, km = radius_matches(conn, query, spatial=spatial)
        top = np.lexsort((ids, km))[:PAGE]
        return int(ids.size), [int(i) for i in ids[top]]
    params: list[Any] = []
    matches = _country_sql(query, params)
    total = conn.execute(f"SELECT count(*) FROM ({matches})", params).fetchone()[0]
    expression = fts_expression(query.keyword) if query.keyword else None
    if expression is not None and not query.needs:
        page_sql = "SELECT rowid FROM fts WHERE fts MATCH ? LIMIT ?"
        page = conn.execute(page_sql, (expression, PAGE)).fetchall()
    else:
        page = conn.execute(f"{matches} LIMIT ?", [*params, PAGE]).fetchall()
    return int(total), [int(r[0]) for r in page]


def matching_ids(
    conn: sqlite3.Connection, query: SearchQuery, *, spatial: str = "btree"
) -> np.ndarray:
    """Every matching partner id, sorted: to check the baseline against the core (untimed)."""
    _unsupported(query)
    if query.near is not None:
        return np.sort(radius_matches(conn, query, spatial=spatial)[0])
    params: list[Any] = []
    rows = conn.execute(_country_sql(query, params), params).fetchall()
    return np.sort(np.asarray([r[0] for r in rows], dtype=np.int64))
