"""The benchmark's earlier baseline, kept as the column labelled "naive".

One SQL query per search with a join per need on the unindexed competency table, keywords
by ``LIKE '%kw%'`` over name and description, every matching row pulled into pandas and
the distances computed there. Only its matching rule was aligned with the core (effective
level = the higher of claim and valid certification, read from the baseline store; keyword
words as word prefixes, checked in pandas), so that it returns the core's matches.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

import numpy as np
import pandas as pd

from core.geo.distance import haversine_km
from core.search.query import SearchQuery
from core.search.ranking import KM_PER_DEGREE, resolve_query_place
from core.search.token_index import SEPARATORS, split_words

_WORD_START = "(?:^|[\\s" + re.escape(SEPARATORS) + "])"


def _frame(conn: sqlite3.Connection, query: SearchQuery) -> pd.DataFrame:
    params: list[Any] = []
    where, joins = [], []
    for i, need in enumerate(query.needs):
        # Primary-key lookups, as the earlier baseline had on partner_competency.
        joins.append(
            f"JOIN level c{i} ON c{i}.partner_id = p.id AND c{i}.area_key = ? AND c{i}.level >= ?"
        )
        params += [need, query.min_level]
    words = split_words(query.keyword.lower()) if query.keyword else []
    for word in words:
        where.append("(lower(p.name) LIKE ? OR lower(p.description) LIKE ?)")
        params += [f"%{word}%", f"%{word}%"]
    place = resolve_query_place(query)
    if place is not None:
        joins.append("JOIN src.partner_location l ON l.partner_id = p.id")
        span = query.radius_km / KM_PER_DEGREE
        lon_span = span / max(np.cos(np.radians(place.latitude)), 0.01)
        where.append("l.latitude BETWEEN ? AND ? AND l.longitude BETWEEN ? AND ?")
        params += [place.latitude - span, place.latitude + span]
        params += [place.longitude - lon_span, place.longitude + lon_span]
    columns = ["id", "name", "description"] + (["latitude", "longitude"] if place else [])
    select = "p.id, p.name, p.description" + (", l.latitude, l.longitude" if place else "")
    sql = f"SELECT {select} FROM src.partner p {' '.join(joins)}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    frame = pd.DataFrame(conn.execute(sql, params).fetchall(), columns=columns)
    for word in words:  # LIKE finds substrings; the core matches word starts
        pattern = _WORD_START + re.escape(word)
        text = (frame["name"] + " " + frame["description"]).str.lower()
        frame = frame[text.str.contains(pattern, regex=True)]
    if place is None:
        return frame
    frame = frame.assign(
        km=haversine_km(place.latitude, place.longitude, frame["latitude"], frame["longitude"])
    )
    inside = frame[frame["km"] <= query.radius_km]
    return inside.groupby(["id", "name"], as_index=False)["km"].min()


def search(conn: sqlite3.Connection, query: SearchQuery) -> tuple[int, list[int]]:
    frame = _frame(conn, query)
    order = ["km", "id"] if "km" in frame else ["id"]
    return len(frame), [int(i) for i in frame.sort_values(order).head(20)["id"]]


def matching_ids(conn: sqlite3.Connection, query: SearchQuery) -> np.ndarray:
    return np.sort(_frame(conn, query)["id"].to_numpy(dtype=np.int64))
