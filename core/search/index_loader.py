"""Streams the directory's tables into NumPy/Arrow columns for the read index.

A million partners mean ~8 million competency rows and ~5 million certification rows. As
Python tuples all at once they take gigabytes, so every table is read in chunks through
the driver's own cursor (server-side on PostgreSQL) and each chunk is turned into compact
arrays before the next is fetched.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Connection

from core.search.token_index import TokenIndex, TokenIndexBuilder

CHUNK_ROWS = 50_000
# Claimed levels travel packed: three bits per area, twenty areas per 64-bit integer.
LEVEL_BITS = 3
AREAS_PER_PACK = 20
# A level above seven (never valid: the models allow 0..MAX_LEVEL) would spill into the
# next area's bits, so SQL caps it there and NumPy caps it at MAX_LEVEL.
_LEVEL_UP_TO_7 = "(CASE WHEN claimed_level > 7 THEN 7 ELSE claimed_level END)"
# One row per partner with its valid certification keys joined by spaces (keys are
# free of white space): a million rows instead of five million, split by Arrow afterwards.
_VALID_CERTIFICATIONS = (
    "SELECT partner_id, {joined} FROM partner_certification "
    "WHERE status = 'approved' AND (expires_on IS NULL OR expires_on >= {today}) "
    "GROUP BY partner_id"
)
# Each dialect's own aggregate and each driver's own placeholder style.
VALID_CERTIFICATIONS_SQL = {
    "sqlite": _VALID_CERTIFICATIONS.format(
        joined="group_concat(certification_key, ' ')", today="?"
    ),
    "postgresql": _VALID_CERTIFICATIONS.format(
        joined="string_agg(certification_key, ' ')", today="%s"
    ),
}
SAFE_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


def id_list_sql(partner_ids: Sequence[int] | np.ndarray) -> str:
    """ "IN (3, 7)": restricts a loader to a few partners (core.search.deltas). Integers
    only, so nothing but digits reaches the SQL."""
    return (
        "IN (" + ", ".join(str(int(p)) for p in partner_ids) + ")"
        if len(partner_ids)
        else "IN (NULL)"
    )


def _and(only: str | None, column: str = "partner_id") -> str:
    return f" AND {column} {only}" if only else ""


def stream_rows(
    conn: Connection, sql: str, params: tuple[Any, ...] = ()
) -> Iterator[Sequence[tuple[Any, ...]]]:
    """Chunks of plain tuples; `params` are bound by the driver, never formatted in."""
    dbapi = conn.connection.dbapi_connection
    if dbapi is None:  # only after the connection was closed or invalidated
        raise RuntimeError("stream_rows needs an open connection")
    server_side = conn.dialect.name == "postgresql"
    cursor = dbapi.cursor(name="atlas_read_index") if server_side else dbapi.cursor()
    try:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK_ROWS):
            yield rows
    finally:
        cursor.close()


def rows_of(ids: np.ndarray, partner_ids: Any) -> tuple[np.ndarray, np.ndarray]:
    """Index rows of these partner ids, and which of them are known. Tables are read on
    separate connections, so a partner added mid-build may be missing from `ids`."""
    wanted = np.asarray(partner_ids, dtype=np.int64)
    rows = np.minimum(np.searchsorted(ids, wanted), max(ids.size - 1, 0))
    known = ids[rows] == wanted if ids.size else np.zeros(wanted.size, dtype=bool)
    return rows, known


def _columns(rows: Sequence[tuple[Any, ...]], count: int) -> list[tuple[Any, ...]]:
    return list(zip(*rows, strict=True)) if rows else [() for _ in range(count)]


def _json_mask(values: tuple[Any, ...], bits: dict[str, int]) -> np.ndarray:
    """Bit mask per row from a JSON list column. Few distinct lists recur across a
    directory ("[]", the same few segments), so each distinct text is decoded once."""
    codes, distinct = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    masks = np.zeros(len(distinct), dtype=np.uint64)
    for i, value in enumerate(distinct):
        if not value or value == "[]":
            continue
        items = json.loads(value)
        mask = 0
        for item in items:
            bit = bits.get(item)
            if bit is not None:
                mask |= 1 << bit
        masks[i] = mask
    return masks[codes]


def _epoch_seconds(values: tuple[Any, ...]) -> np.ndarray:
    """UTC seconds; NaN for missing. SQLite returns ISO text, PostgreSQL aware datetimes."""
    stamps = pd.to_datetime(
        pd.Series(values, dtype=object), errors="coerce", utc=True, format="ISO8601"
    )
    seconds = stamps.dt.tz_localize(None).to_numpy().astype("datetime64[ns]").astype("int64") / 1e9
    return np.where(stamps.isna().to_numpy(), np.nan, seconds)


@dataclass
class PartnerColumns:
    ids: np.ndarray
    names: pa.ChunkedArray
    tokens: TokenIndex  # keyword index over "name description"
    service_radius_km: np.ndarray
    states_served: np.ndarray
    segments: np.ndarray
    updated_ts: np.ndarray
    verified_ts: np.ndarray
    # Issue 13: the partner's own confirmation, and the profile fields searched as masks.
    confirmed_ts: np.ndarray
    industries: np.ndarray  # uint64 bit mask over core.partner_attributes industries
    languages: np.ndarray  # uint64 bit mask over languages
    delivery: np.ndarray  # uint8 bits: 1 remote, 2 on-site (both = 3), 0 not stated
    accepting: np.ndarray  # bool


DELIVERY_BITS = {"remote": 1, "on_site": 2, "both": 3}


def _delivery_bits(values: tuple[Any, ...]) -> np.ndarray:
    return np.fromiter((DELIVERY_BITS.get(v or "", 0) for v in values), np.uint8, len(values))


def load_partners(
    conn: Connection,
    *,
    state_bits: dict[str, int],
    segment_bits: dict[str, int],
    industry_bits: dict[str, int] | None = None,
    language_bits: dict[str, int] | None = None,
    only: str | None = None,
) -> PartnerColumns:
    """Partner columns, and the keyword index built chunk by chunk as rows arrive, so the
    descriptions (a quarter of a gigabyte at a million partners) are never all held."""
    parts: dict[str, list[Any]] = {k: [] for k in PartnerColumns.__dataclass_fields__}
    tokens = TokenIndexBuilder()
    # JSON read as text on both databases: PostgreSQL would otherwise hand back lists.
    # `only` holds digits only (id_list_sql).
    sql = (
        "SELECT id, name, description, service_radius_km, CAST(states_served AS TEXT), "  # noqa: S608
        "CAST(segments AS TEXT), updated_at, verified_at, confirmed_at, "
        "CAST(industries AS TEXT), CAST(languages AS TEXT), delivery, accepting_new_clients "
        f"FROM partner WHERE 1 = 1{_and(only, 'id')} ORDER BY id"
    )
    # Keyword indexing is Arrow and NumPy work that releases the GIL, so one worker does it
    # for a chunk while this thread fetches the next (mostly Python work): a third faster.
    # One worker keeps the chunks in order; waiting for it keeps one chunk in flight.
    indexing: Future[None] | None = None
    with ThreadPoolExecutor(max_workers=1) as worker:
        for rows in stream_rows(conn, sql):
            (ids, names, descriptions, radius, states, segments, updated, verified) = (
                columns := _columns(rows, 13)
            )[:8]
            confirmed, industries, languages, delivery, accepting = columns[8:]
            name_array = pa.array(names, type=pa.large_string())
            description_array = pa.array(descriptions, type=pa.large_string()).fill_null("")
            texts = pc.binary_join_element_wise(
                name_array, description_array, pa.scalar(" ", pa.large_string())
            )
            if indexing is not None:
                indexing.result()
            indexing = worker.submit(tokens.add, texts)
            parts["ids"].append(np.asarray(ids, dtype=np.int64))
            parts["names"].append(name_array)
            parts["service_radius_km"].append(
                np.nan_to_num(np.asarray(radius, dtype=np.float64)).astype(np.float32)
            )
            parts["states_served"].append(_json_mask(states, state_bits))
            parts["segments"].append(_json_mask(segments, segment_bits).astype(np.uint8))
            parts["updated_ts"].append(_epoch_seconds(updated))
            parts["verified_ts"].append(_epoch_seconds(verified))
            parts["confirmed_ts"].append(_epoch_seconds(confirmed))
            parts["industries"].append(_json_mask(industries, industry_bits or {}))
            parts["languages"].append(_json_mask(languages, language_bits or {}))
            parts["delivery"].append(_delivery_bits(delivery))
            parts["accepting"].append(np.asarray([bool(a) for a in accepting], dtype=bool))
        if indexing is not None:
            indexing.result()
    parts.pop("tokens")
    if not parts["ids"]:
        return PartnerColumns(
            ids=np.zeros(0, np.int64), names=pa.chunked_array([], type=pa.large_string()),
            tokens=tokens.finish(), service_radius_km=np.zeros(0, np.float32),
            states_served=np.zeros(0, np.uint64), segments=np.zeros(0, np.uint8),
            updated_ts=np.zeros(0), verified_ts=np.zeros(0), confirmed_ts=np.zeros(0),
            industries=np.zeros(0, np.uint64), languages=np.zeros(0, np.uint64),
            delivery=np.zeros(0, np.uint8), accepting=np.zeros(0, bool),
        )  # fmt: skip
    # Names stay in their chunks (a ChunkedArray): concatenating would briefly hold two
    # copies of them.
    return PartnerColumns(
        tokens=tokens.finish(),
        **{
            key: pa.chunked_array(chunks)
            if isinstance(chunks[0], pa.Array)
            else np.concatenate(chunks)
            for key, chunks in parts.items()
        },
    )


def load_claimed_levels(
    conn: Connection,
    *,
    ids: np.ndarray,
    area_keys: tuple[str, ...],
    max_level: int,
    only: str | None = None,
) -> np.ndarray:
    """Claimed level per partner and area.

    Eight competency rows per partner would be eight million Python tuples at a million
    partners. Instead SQL packs each partner's levels into integers, three bits per area
    (twenty areas per 60-bit integer), and NumPy unpacks them: one row per partner.
    """
    if not all(SAFE_KEY.match(key) for key in area_keys):
        raise ValueError("area keys must be lower-case words (data/taxonomy.json)")
    packs = [area_keys[i : i + AREAS_PER_PACK] for i in range(0, len(area_keys), AREAS_PER_PACK)]
    packed = []
    for pack in packs:
        # Literal powers of eight: plain arithmetic that SQLite and PostgreSQL agree on.
        weight = " ".join(f"WHEN '{key}' THEN {8**i}" for i, key in enumerate(pack))
        packed.append(f"CAST(SUM({_LEVEL_UP_TO_7} * CASE area_key {weight} ELSE 0 END) AS BIGINT)")
    # The keys come from the taxonomy file and were checked above; no user text reaches SQL.
    sql = (
        f"SELECT partner_id, {', '.join(packed)} FROM partner_competency "  # noqa: S608
        f"WHERE claimed_level > 0{_and(only)} GROUP BY partner_id"
    )
    claimed = np.zeros((ids.size, len(area_keys)), dtype=np.int8)
    shifts = np.arange(AREAS_PER_PACK, dtype=np.int64) * LEVEL_BITS
    for rows in stream_rows(conn, sql):
        block = np.asarray(rows, dtype=np.int64)
        partner_rows, known = rows_of(ids, block[:, 0])
        for number, pack in enumerate(packs):
            levels = (block[known, 1 + number, None] >> shifts[: len(pack)]) & 7
            first = number * AREAS_PER_PACK
            claimed[partner_rows[known], first : first + len(pack)] = levels
    return np.minimum(claimed, max_level, out=claimed)


def load_valid_certifications(
    conn: Connection,
    *,
    ids: np.ndarray,
    certification_keys: list[str],
    today: date,
    only: str | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(partner row, catalogue index) of every approved certification not expired today.
    Keys missing from the catalogue are skipped."""
    if any(not key or key != "".join(key.split()) for key in certification_keys):
        raise ValueError("certification keys must not hold white space (data/certifications.csv)")
    catalogue = pa.array(certification_keys, type=pa.string())
    rows_out, certs_out = [], []
    sql = VALID_CERTIFICATIONS_SQL[conn.dialect.name].replace(" GROUP BY", f"{_and(only)} GROUP BY")
    # SQLite stores dates as ISO text; PostgreSQL wants a date.
    bound = today.isoformat() if conn.dialect.name == "sqlite" else today
    for rows in stream_rows(conn, sql, (bound,)):
        partner_ids, joined = _columns(rows, 2)
        keys = pc.split_pattern(pa.array(joined, type=pa.string()), " ")
        codes = pc.index_in(pc.list_flatten(keys), value_set=catalogue).fill_null(-1)
        codes = np.asarray(codes.to_numpy(zero_copy_only=False), dtype=np.int64)
        parents = pc.list_parent_indices(keys).to_numpy()
        partner_rows, known = rows_of(ids, partner_ids)
        keep = known[parents] & (codes >= 0)
        rows_out.append(partner_rows[parents][keep])
        certs_out.append(codes[keep])
    if not rows_out:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(rows_out), np.concatenate(certs_out)


@dataclass
class LocationColumns:
    rows: np.ndarray  # partner row, int32, sorted
    latitude: np.ndarray
    longitude: np.ndarray
    state: np.ndarray  # int8 index into the state codes, -1 when unknown
    city_label: pa.Array  # "Austin, TX"


def load_locations(
    conn: Connection, *, ids: np.ndarray, state_index: dict[str, int], only: str | None = None
) -> LocationColumns:
    parts: dict[str, list[Any]] = {k: [] for k in LocationColumns.__dataclass_fields__}
    # Headquarters first within each partner, so a partner's first location is its HQ.
    sql = (
        "SELECT partner_id, state, latitude, longitude, city FROM partner_location "  # noqa: S608
        f"WHERE 1 = 1{_and(only)} ORDER BY partner_id, is_headquarters DESC, id"
    )
    for rows in stream_rows(conn, sql):
        partner_ids, states, lats, lons, cities = _columns(rows, 5)
        parts["rows"].append(
            np.searchsorted(ids, np.asarray(partner_ids, dtype=np.int64)).astype(np.int32)
        )
        parts["latitude"].append(np.asarray(lats, dtype=np.float64))
        parts["longitude"].append(np.asarray(lons, dtype=np.float64))
        parts["state"].append(
            np.fromiter((state_index.get(s, -1) for s in states), np.int8, len(states))
        )
        parts["city_label"].append(
            pc.binary_join_element_wise(
                pa.array(cities, pa.string()), pa.array(states, pa.string()), ", "
            )
        )
    if not parts["rows"]:
        return LocationColumns(
            np.zeros(0, np.int32),
            np.zeros(0),
            np.zeros(0),
            np.zeros(0, np.int8),
            pa.array([], pa.string()),
        )
    merged = {
        key: pa.concat_arrays(chunks) if isinstance(chunks[0], pa.Array) else np.concatenate(chunks)
        for key, chunks in parts.items()
    }
    known = merged["rows"] >= 0
    if not known.all():
        merged = {
            k: v.filter(pa.array(known)) if isinstance(v, pa.Array) else v[known]
            for k, v in merged.items()
        }
    return LocationColumns(**merged)


def load_review_summaries(
    conn: Connection, *, ids: np.ndarray, only: str | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Average rating (NaN: no review) and count of visible verified reviews per partner
    row, aggregated by the database (issue 13: Find partners may sort by rating)."""
    average = np.full(ids.size, np.nan, dtype=np.float32)
    count = np.zeros(ids.size, dtype=np.int32)
    sql = (
        "SELECT partner_id, AVG(rating), COUNT(*) FROM review "  # noqa: S608
        f"WHERE hidden_at IS NULL{_and(only)} GROUP BY partner_id"
    )
    for rows in stream_rows(conn, sql):
        block = np.asarray(rows, dtype=np.float64)
        partner_rows, known = rows_of(ids, block[:, 0].astype(np.int64))
        average[partner_rows[known]] = block[known, 1]
        count[partner_rows[known]] = block[known, 2]
    return average, count


def load_responsiveness(
    conn: Connection, *, ids: np.ndarray, only: str | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Leads and answers within two business days per partner row, from the summary the
    worker keeps (core.analytics.responsiveness): one short row per partner with leads,
    already aggregated, so this costs a fraction of the partner table."""
    leads = np.zeros(ids.size, dtype=np.int32)
    within = np.zeros(ids.size, dtype=np.int32)
    sql = (
        "SELECT partner_id, leads, within_two_business_days FROM partner_responsiveness "  # noqa: S608
        f"WHERE 1 = 1{_and(only)}"
    )
    for rows in stream_rows(conn, sql):
        block = np.asarray(rows, dtype=np.int64)
        partner_rows, known = rows_of(ids, block[:, 0])
        leads[partner_rows[known]] = block[known, 1]
        within[partner_rows[known]] = block[known, 2]
    return leads, within
