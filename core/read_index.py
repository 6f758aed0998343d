"""The compact in-memory read index that search, maps and teams scan.

The database is the source of truth. Each process builds this columnar copy once (NumPy
arrays of levels, coordinates and bit masks; Arrow arrays for text) and rebuilds it when
the data-version counter in the database moves, so several app processes on one
PostgreSQL stay coherent. Evidence is derived here in one vectorised pass, so a search
never touches the database.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from sqlalchemy import Connection, Engine, text
from sqlmodel import Session

from core.db import read_data_version
from core.evidence import certification_level_matrix
from core.geo import STATE_NAMES
from core.taxonomy import Taxonomy, get_taxonomy
from core.token_index import TokenIndex, build_token_index

STATE_CODES: tuple[str, ...] = tuple(sorted(STATE_NAMES))
STATE_BIT = {code: np.uint64(1) << np.uint64(i) for i, code in enumerate(STATE_CODES)}


def state_mask(codes: list[str] | tuple[str, ...]) -> np.uint64:
    mask = np.uint64(0)
    for code in codes:
        mask |= STATE_BIT[code]
    return mask


@dataclass
class ReadIndex:
    data_version: int
    built_for_day: date
    build_seconds: float
    area_keys: tuple[str, ...]
    technology_columns: np.ndarray  # bool per area: True for technology domains
    partner_ids: np.ndarray  # int64, sorted
    names: pa.Array  # display names
    search_text: pa.Array  # lower-cased "name description" for keyword search
    hq_city: pa.Array  # "Austin, TX"
    claimed: np.ndarray  # int8 (n, areas)
    evidenced: np.ndarray  # int8 (n, areas)
    hq_latitude: np.ndarray  # float64 (n); NaN when a partner has no location
    hq_longitude: np.ndarray
    service_radius_km: np.ndarray  # float32 (n); 0 when none
    states_served: np.ndarray  # uint64 bit mask over STATE_CODES
    location_states: np.ndarray  # uint64 bit mask: states where it has a location
    segments: np.ndarray  # uint8 bit mask over taxonomy segments
    vendors: np.ndarray  # uint64 bit mask over vendor_names (approved, unexpired certs)
    vendor_names: tuple[str, ...]
    freshness_ts: np.ndarray  # float64 epoch seconds of the later of updated / verified
    updated_ts: np.ndarray
    verified_ts: np.ndarray  # NaN when never verified
    loc_row: np.ndarray  # int32 partner row of every location (sorted by row)
    loc_latitude: np.ndarray
    loc_longitude: np.ndarray
    loc_state: np.ndarray  # int8 index into STATE_CODES
    extras: dict[str, object] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return int(self.partner_ids.shape[0])

    def column(self, area_key: str) -> int:
        return self.area_keys.index(area_key)

    def rows_of(self, partner_ids: np.ndarray | list[int]) -> np.ndarray:
        ids = np.asarray(partner_ids, dtype=np.int64)
        rows = np.searchsorted(self.partner_ids, ids)
        rows = np.clip(rows, 0, max(self.size - 1, 0))
        found = self.partner_ids[rows] == ids if self.size else np.zeros(len(ids), bool)
        return rows[found]

    def token_index(self) -> TokenIndex:
        """Keyword index over search_text, built on first use and kept with this index."""
        tokens = self.extras.get("tokens")
        if tokens is None:
            tokens = self.extras["tokens"] = build_token_index(self.search_text)
        return tokens  # type: ignore[return-value]

    def nbytes(self) -> int:
        total = 0
        for value in self.__dict__.values():
            if isinstance(value, np.ndarray | pa.Array):
                total += value.nbytes
        tokens = self.extras.get("tokens")
        return total + (tokens.nbytes if isinstance(tokens, TokenIndex) else 0)


def _rows(conn: Connection, sql: str) -> list[tuple[Any, ...]]:
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        cursor.close()


def _frame(conn: Connection, sql: str, columns: list[str]) -> pd.DataFrame:
    """A query's rows as a DataFrame, fetched through the driver's own cursor.

    Plain tuples from the DBAPI cursor are several times cheaper than SQLAlchemy Row
    objects for millions of rows, and pandas builds frames from tuples fast. `sql` takes no
    parameters: every caller passes constant SQL (dates formatted by the caller).
    """
    rows = _rows(conn, sql)
    if not rows:
        return pd.DataFrame({name: [] for name in columns})
    return pd.DataFrame.from_records(rows, columns=columns)


def _parse_json_lists(values: list[object]) -> list[list[str]]:
    parsed: list[list[str]] = []
    for value in values:
        if value is None or value == "[]":
            parsed.append([])
        elif isinstance(value, list):
            parsed.append(value)  # PostgreSQL drivers decode JSON already
        else:
            parsed.append(json.loads(str(value)))
    return parsed


def _epoch_seconds(values: pd.Series) -> np.ndarray:
    # SQLite hands back UTC text without an offset, PostgreSQL aware datetimes: both are UTC.
    stamps = pd.to_datetime(values, errors="coerce", format="mixed", utc=True)
    seconds = stamps.dt.tz_localize(None).to_numpy().astype("datetime64[ns]").astype("int64") / 1e9
    return np.where(stamps.isna().to_numpy(), np.nan, seconds)


def _mask_from_lists(lists: list[list[str]], bits: dict[str, int]) -> np.ndarray:
    out = np.zeros(len(lists), dtype=np.uint64)
    for i, items in enumerate(lists):
        if items:
            mask = 0
            for item in items:
                bit = bits.get(item)
                if bit is not None:
                    mask |= 1 << bit
            out[i] = mask
    return out


def build_read_index(
    engine: Engine, *, today: date | None = None, taxonomy: Taxonomy | None = None
) -> ReadIndex:
    """Read the whole directory once and lay it out for vectorised scans."""
    started = time.perf_counter()
    taxonomy = taxonomy or get_taxonomy()
    today = today or date.today()
    area_keys = taxonomy.area_keys
    area_col = {key: i for i, key in enumerate(area_keys)}
    with engine.connect() as conn:
        version = int(
            conn.execute(text("SELECT version FROM data_version WHERE id=1")).scalar() or 0
        )
        partners = _rows(
            conn,
            "SELECT id, name, description, service_radius_km, states_served, segments, "
            "updated_at, verified_at FROM partner ORDER BY id",
        )
        locations = _frame(
            conn,
            "SELECT partner_id, state, latitude, longitude, city, is_headquarters "
            "FROM partner_location ORDER BY partner_id, is_headquarters DESC, id",
            ["partner_id", "state", "latitude", "longitude", "city", "is_hq"],
        )
        competencies = _frame(
            conn,
            "SELECT partner_id, area_key, claimed_level FROM partner_competency",
            ["partner_id", "area_key", "level"],
        )
        certifications = _frame(
            conn,
            "SELECT partner_id, certification_key, expires_on FROM partner_certification "
            "WHERE status = 'approved'",
            ["partner_id", "certification_key", "expires_on"],
        )
        # ISO dates compare as text, whether the driver returns str (SQLite) or date.
        expires = certifications["expires_on"]
        valid = expires.isna() | (expires.astype(str) >= today.isoformat())
        certifications = certifications[valid.to_numpy()]

    n = len(partners)
    columns = list(zip(*partners, strict=True)) if n else [[] for _ in range(8)]
    ids = np.asarray(columns[0], dtype=np.int64)
    names = list(columns[1])
    descriptions = list(columns[2])
    search_text = pa.array(
        [f"{name} {desc or ''}".lower() for name, desc in zip(names, descriptions, strict=True)],
        type=pa.large_string(),
    )
    del descriptions
    radius = np.asarray([r or 0.0 for r in columns[3]], dtype=np.float32)
    states_served = _mask_from_lists(
        _parse_json_lists(list(columns[4])), {c: i for i, c in enumerate(STATE_CODES)}
    )
    segments = _mask_from_lists(
        _parse_json_lists(list(columns[5])), {k: i for i, k in enumerate(taxonomy.segment_keys)}
    ).astype(np.uint8)
    updated_ts = _epoch_seconds(pd.Series(columns[6], dtype=object))
    verified_ts = _epoch_seconds(pd.Series(columns[7], dtype=object))
    freshness_ts = np.fmax(updated_ts, verified_ts)
    del partners, columns

    def rows_for(partner_ids: pd.Series) -> np.ndarray:
        return np.searchsorted(ids, partner_ids.to_numpy(dtype=np.int64)).astype(np.int32)

    claimed = np.zeros((n, len(area_keys)), dtype=np.int8)
    if len(competencies):
        cols = competencies["area_key"].map(area_col)
        known = cols.notna().to_numpy()
        claimed[
            rows_for(competencies["partner_id"])[known], cols[known].to_numpy(dtype=np.int64)
        ] = competencies["level"].to_numpy(dtype=np.int8)[known]

    evidenced = np.zeros_like(claimed)
    vendor_names = taxonomy.vendors
    vendor_bit = {v: i for i, v in enumerate(vendor_names)}
    vendors = np.zeros(n, dtype=np.uint64)
    if len(certifications):
        cert_row_of, level_matrix = certification_level_matrix(taxonomy)
        cert_idx = certifications["certification_key"].map(cert_row_of)
        known = cert_idx.notna().to_numpy()
        rows = rows_for(certifications["partner_id"])[known]
        idx = cert_idx[known].to_numpy(dtype=np.int64)
        np.maximum.at(evidenced, rows, level_matrix[idx])
        cert_vendor_bits = np.asarray(
            [
                np.uint64(1) << np.uint64(vendor_bit[taxonomy.certifications[k].vendor])
                for k in cert_row_of
            ],
            dtype=np.uint64,
        )
        np.bitwise_or.at(vendors, rows, cert_vendor_bits[idx])

    loc_row = rows_for(locations["partner_id"]) if len(locations) else np.zeros(0, np.int32)
    loc_lat = locations["latitude"].to_numpy(dtype=np.float64)
    loc_lon = locations["longitude"].to_numpy(dtype=np.float64)
    state_idx = {c: i for i, c in enumerate(STATE_CODES)}
    loc_state = locations["state"].map(state_idx).fillna(-1).to_numpy(dtype=np.int8)
    location_states = np.zeros(n, dtype=np.uint64)
    valid_state = loc_state >= 0
    if valid_state.any():
        np.bitwise_or.at(
            location_states,
            loc_row[valid_state],
            np.left_shift(np.uint64(1), loc_state[valid_state].astype(np.uint64)),
        )
    # Locations are ordered headquarters first within each partner: the first is the HQ.
    hq_lat = np.full(n, np.nan)
    hq_lon = np.full(n, np.nan)
    hq_city = [""] * n
    if len(locations):
        first = np.r_[True, loc_row[1:] != loc_row[:-1]]
        hq_lat[loc_row[first]] = loc_lat[first]
        hq_lon[loc_row[first]] = loc_lon[first]
        labels = (locations["city"] + ", " + locations["state"]).to_numpy()[first]
        for row, label in zip(loc_row[first], labels, strict=True):
            hq_city[row] = label

    index = ReadIndex(
        data_version=version,
        built_for_day=today,
        build_seconds=time.perf_counter() - started,
        area_keys=area_keys,
        technology_columns=np.asarray([a.group == "technology" for a in taxonomy.areas]),
        partner_ids=ids,
        names=pa.array(names, type=pa.large_string()),
        search_text=search_text,
        hq_city=pa.array(hq_city, type=pa.string()),
        claimed=claimed,
        evidenced=evidenced,
        hq_latitude=hq_lat,
        hq_longitude=hq_lon,
        service_radius_km=radius,
        states_served=states_served,
        location_states=location_states,
        segments=segments,
        vendors=vendors,
        vendor_names=vendor_names,
        freshness_ts=freshness_ts,
        updated_ts=updated_ts,
        verified_ts=verified_ts,
        loc_row=loc_row,
        loc_latitude=loc_lat,
        loc_longitude=loc_lon,
        loc_state=loc_state,
    )
    index.token_index()  # built now, so no visitor's keyword search pays for it
    index.build_seconds = time.perf_counter() - started
    return index


class ReadIndexHolder:
    """Keeps one ReadIndex per process fresh against the database's data version.

    Checking costs one tiny query per search. While one caller rebuilds, others keep
    answering from the previous index instead of queueing behind the rebuild.
    """

    def __init__(self, *, engine: Engine, today: Callable[[], date] = date.today) -> None:
        self._engine = engine
        self._today = today
        self._index: ReadIndex | None = None
        self._lock = threading.Lock()

    def current_version(self) -> int:
        with Session(self._engine) as session:
            return read_data_version(session)

    def _is_stale(self, index: ReadIndex, version: int) -> bool:
        # A new day can expire certifications, so evidence is re-derived daily too.
        return index.data_version != version or index.built_for_day != self._today()

    def get(self) -> ReadIndex:
        version = self.current_version()
        index = self._index
        if index is not None and not self._is_stale(index, version):
            return index
        if index is not None and not self._lock.acquire(blocking=False):
            return index  # someone else is rebuilding; the previous index is still valid data
        if index is None:
            self._lock.acquire()
        try:
            current = self._index
            if current is None or self._is_stale(current, version):
                self._index = build_read_index(self._engine, today=self._today())
            return self._index
        finally:
            self._lock.release()
