"""Applying a few changed partners to a serving read index, in place.

Every committed directory write records at its data version which partners it changed
(``directory_change``, written by core.unit_of_work). A process whose index is behind
reads those ids, loads just those partners through the same loaders as a full build (so
they are laid out identically) and writes them over their rows: edited partners are
overwritten, new partners appended (ids stay sorted), deleted partners marked not live
so they never match, and their keyword postings replaced through a small overlay. A full
rebuild is only needed when a change names no partners (bulk or raw SQL writes), when
the history was pruned, or when too many partners changed to be worth it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Connection, Engine, text

from core.db import session_scope
from core.search.read_index import ReadIndex
from core.search.token_overlay import overlaid, words_by_row

# Beyond these a rebuild is cheaper (or the overlay would grow without end).
MAX_DELTA_PARTNERS = 2_000
MAX_OVERLAY_ROWS = 20_000
# Versions of change history kept (core.worker.jobs prunes the rest): a process further
# behind than this has more than MAX_DELTA_PARTNERS to apply anyway, most likely.
KEEP_VERSIONS = 10_000

# One value per partner row.
ROW_ARRAYS = (
    "partner_ids", "claimed", "evidenced", "hq_latitude", "hq_longitude", "service_radius_km",
    "states_served", "location_states", "segments", "vendors", "freshness_ts", "updated_ts",
    "verified_ts", "response_leads", "response_within", "review_avg", "review_count",
    "confirmed_ts", "industries", "languages", "delivery", "accepting", "live",
)  # fmt: skip
ARROW_ROWS = ("names", "hq_city")
LOC_ARRAYS = ("loc_row", "loc_latitude", "loc_longitude", "loc_state")
# Too many slices make Arrow's take slow: past this the column is copied into one chunk.
MAX_CHUNKS = 64


def read_changes(conn: Connection, *, since: int, upto: int) -> np.ndarray | None:
    """Sorted ids of the partners changed after version `since` up to `upto`; None when a
    full rebuild is needed (a change of unknown partners, a version with no record, too
    many partners)."""
    if upto < since:
        return None  # the database went back (restored): nothing known holds
    rows = conn.execute(
        text(
            "SELECT version, partner_id FROM directory_change "
            "WHERE version > :since AND version <= :upto"
        ),
        {"since": since, "upto": upto},
    ).all()
    if len({version for version, _ in rows}) != upto - since:
        return None  # pruned, or moved by a writer that named nothing
    if any(partner_id is None for _, partner_id in rows):
        return None
    ids = np.unique(np.asarray([p for _, p in rows], dtype=np.int64))
    return None if ids.size > MAX_DELTA_PARTNERS else ids


def _replace_rows(
    column: pa.Array | pa.ChunkedArray, rows: np.ndarray, values: list[object]
) -> pa.ChunkedArray:
    """The column with `rows` (ascending) set to `values`, sharing the rest (zero-copy)."""
    chunks: list[pa.Array] = []
    kind = column.type
    at = 0
    for row, value in zip(rows.tolist(), values, strict=True):
        chunks.append(column.slice(at, row - at))
        chunks.append(pa.array([value], type=kind))
        at = row + 1
    chunks.append(column.slice(at))
    flat = [
        c for part in chunks for c in (part.chunks if isinstance(part, pa.ChunkedArray) else [part])
    ]
    out = pa.chunked_array([c for c in flat if len(c)], type=kind)
    return pa.chunked_array([out.combine_chunks()]) if out.num_chunks > MAX_CHUNKS else out


def _append_rows(
    column: pa.Array | pa.ChunkedArray, values: pa.Array | pa.ChunkedArray
) -> pa.ChunkedArray:
    parts = [column, values.cast(column.type)]
    flat = [
        c for part in parts for c in (part.chunks if isinstance(part, pa.ChunkedArray) else [part])
    ]
    return pa.chunked_array([c for c in flat if len(c)], type=column.type)


def _city_codes(
    index: ReadIndex, mini: ReadIndex, take: np.ndarray
) -> tuple[np.ndarray, pa.Array, np.ndarray]:
    """Codes of the mini index's chosen location cities in the index's city dictionary
    (new cities appended to it), that dictionary, and the index's own codes."""
    assert index.loc_city is not None and mini.loc_city is not None
    current = index.loc_city
    if isinstance(current, pa.ChunkedArray):
        current = current.combine_chunks()
    labels = mini.loc_city.take(pa.array(np.flatnonzero(take), pa.int64()))
    labels = labels.cast(pa.string()) if len(labels) else pa.array([], pa.string())
    dictionary = current.dictionary.cast(pa.string())
    added = pc.filter(labels, pc.invert(pc.is_in(labels, value_set=dictionary)))
    if len(added):
        dictionary = pa.concat_arrays([dictionary, pc.unique(added)])
    codes = pc.index_in(labels, value_set=dictionary).to_numpy(zero_copy_only=False)
    old_codes = current.indices.to_numpy(zero_copy_only=False).astype(np.int32)
    return codes.astype(np.int32), dictionary, old_codes


def _relocate(
    index: ReadIndex, out: ReadIndex, rows: np.ndarray, mini: ReadIndex, sources: np.ndarray
) -> None:
    """Locations of partner `rows` replaced by those of mini rows `sources` (-1: none)."""
    old = np.isin(index.loc_row, rows)
    take = np.isin(mini.loc_row, sources[sources >= 0])
    target = np.full(mini.size, -1, dtype=np.int64)
    target[sources[sources >= 0]] = rows[sources >= 0]
    new_rows = target[mini.loc_row[take]].astype(np.int32)
    codes, dictionary, old_codes = _city_codes(index, mini, take)
    keep = ~old
    # Insert each partner's new locations where its rows belong: loc_row stays sorted and
    # each partner's headquarters stays first (the mini build orders them so).
    kept_rows = index.loc_row[keep]
    at = np.searchsorted(kept_rows, new_rows, side="left")
    out.loc_row = np.insert(kept_rows, at, new_rows)
    out.loc_latitude = np.insert(index.loc_latitude[keep], at, mini.loc_latitude[take])
    out.loc_longitude = np.insert(index.loc_longitude[keep], at, mini.loc_longitude[take])
    out.loc_state = np.insert(index.loc_state[keep], at, mini.loc_state[take])
    out.loc_city = pa.DictionaryArray.from_arrays(
        pa.array(np.insert(old_codes[keep], at, codes), type=pa.int32()), dictionary
    )
    out.__dict__.pop("hq_state", None)  # recomputed from the locations on first use


def apply_changes(
    index: ReadIndex, ids: np.ndarray, mini: ReadIndex, *, version: int
) -> ReadIndex | None:
    """`index` brought to `version`, given `mini`: the partners `ids` (those that still
    exist) built alone. Row values are written into the shared arrays in place; columns
    that change length are new arrays on a shallow copy, so a search still scanning the
    previous index never sees mismatched lengths. None: needs a full rebuild."""
    rows = np.minimum(np.searchsorted(index.partner_ids, ids), max(index.size - 1, 0))
    exists = (index.partner_ids[rows] == ids) if index.size else np.zeros(ids.size, bool)
    source = np.searchsorted(mini.partner_ids, ids)
    source = np.minimum(source, max(mini.size - 1, 0))
    in_mini = (mini.partner_ids[source] == ids) if mini.size else np.zeros(ids.size, bool)
    new = in_mini & ~exists
    if new.any() and index.size and ids[new].min() <= index.partner_ids[-1]:
        return None  # a new id between existing ones: rows would lose their order
    tokens = index.token_index()
    if len(getattr(tokens, "words", {})) + ids.size > MAX_OVERLAY_ROWS:
        return None
    _ = index.strength  # cached on the shared arrays, updated in place below
    out = copy.copy(index)
    out.data_version = version

    touched, sources = rows[exists], np.where(in_mini[exists], source[exists], -1)
    updated = sources >= 0
    target, origin = touched[updated], sources[updated]
    for name in ROW_ARRAYS:
        getattr(index, name)[target] = getattr(mini, name)[origin]
    index.live[touched[~updated]] = False
    for mine, theirs in zip(index.strength, mini.strength, strict=True):
        mine[target] = theirs[origin]
    for name in ARROW_ROWS:
        values = getattr(mini, name).take(pa.array(origin)).to_pylist()
        setattr(out, name, _replace_rows(getattr(index, name), target, values))
    if touched.size:
        _relocate(index, out, touched, mini, sources)

    words = words_by_row(mini.token_index())  # type: ignore[arg-type]
    changed = {
        int(r): words.get(int(s), "") if s >= 0 else ""
        for r, s in zip(touched, sources, strict=True)
    }
    added = source[new]
    if added.size:
        _append(out, mini, added)
        for position, s in enumerate(added.tolist()):
            changed[index.size + position] = words.get(s, "")
    out.tokens = overlaid(tokens, changed)
    return out


def _append(out: ReadIndex, mini: ReadIndex, sources: np.ndarray) -> None:
    """New partners (ids above all present) appended as rows, with their locations."""
    size = out.size
    for name in ROW_ARRAYS:
        setattr(out, name, np.concatenate([getattr(out, name), getattr(mini, name)[sources]]))
    for name in ARROW_ROWS:
        setattr(
            out, name, _append_rows(getattr(out, name), getattr(mini, name).take(pa.array(sources)))
        )
    take = np.isin(mini.loc_row, sources)
    row_of = np.full(mini.size, -1, dtype=np.int64)
    row_of[sources] = size + np.arange(sources.size)
    codes, dictionary, old_codes = _city_codes(out, mini, take)
    out.loc_row = np.concatenate([out.loc_row, row_of[mini.loc_row[take]].astype(np.int32)])
    out.loc_latitude = np.concatenate([out.loc_latitude, mini.loc_latitude[take]])
    out.loc_longitude = np.concatenate([out.loc_longitude, mini.loc_longitude[take]])
    out.loc_state = np.concatenate([out.loc_state, mini.loc_state[take]])
    out.loc_city = pa.DictionaryArray.from_arrays(
        pa.array(np.concatenate([old_codes, codes]), type=pa.int32()), dictionary
    )
    out.__dict__.pop("hq_state", None)
    out.__dict__["strength"] = tuple(
        np.concatenate([mine, theirs[sources]])
        for mine, theirs in zip(out.strength, mini.strength, strict=True)
    )


def catch_up(
    index: ReadIndex, *, engine: Engine, version: int, load: Callable[[np.ndarray], ReadIndex]
) -> ReadIndex | None:
    """`index` brought to `version` by deltas, or None when only a rebuild can.
    `load(ids)` builds just those partners (build_read_index with only_ids)."""
    if index.data_version == version:
        return index
    with engine.connect() as conn:
        ids = read_changes(conn, since=index.data_version, upto=version)
    if ids is None:
        return None
    return apply_changes(index, ids, load(ids), version=version)


def prune_directory_changes(engine: Engine, now: datetime) -> int:
    """Forget all but the latest KEEP_VERSIONS versions of change history (a worker job);
    a process further behind finds versions without records and rebuilds."""
    del now  # versions carry no time; the job runs every pass and is cheap when idle
    with session_scope(engine) as session:
        top = session.execute(text("SELECT MAX(version) FROM directory_change")).scalar()
        if top is None:
            return 0
        result = session.execute(
            text("DELETE FROM directory_change WHERE version < :floor"),
            {"floor": int(top) - KEEP_VERSIONS},
        )
        return int(getattr(result, "rowcount", 0) or 0)
