"""The compact in-memory read index that search, maps and teams scan.

The database is the source of truth. Each process builds this columnar copy once (NumPy
arrays of levels, coordinates and bit masks; Arrow arrays for text) and rebuilds it when
the data-version counter in the database moves, so several app processes on one
PostgreSQL stay coherent. Evidence is derived here in one vectorised pass, so a search
never touches the database.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import numpy as np
import pyarrow as pa
from sqlalchemy import Engine, text
from sqlmodel import Session

from core.db import read_data_version
from core.evidence import certification_level_matrix
from core.geo.states import STATE_NAMES
from core.partner_attributes import get_attributes
from core.search.index_loader import (
    load_claimed_levels,
    load_locations,
    load_partners,
    load_responsiveness,
    load_review_summaries,
    load_valid_certifications,
)
from core.search.token_index import TokenIndex, build_token_index
from core.taxonomy import MAX_LEVEL, PROFICIENT, Taxonomy, get_taxonomy

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
    names: pa.Array | pa.ChunkedArray  # display names
    # Lower-cased "name description", only until the token index is built from it.
    search_text: pa.Array | pa.ChunkedArray | None
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
    freshness_ts: np.ndarray  # float64 epoch seconds: latest of updated/confirmed/verified
    updated_ts: np.ndarray
    verified_ts: np.ndarray  # NaN when never verified
    loc_row: np.ndarray  # int32 partner row of every location (sorted by row)
    loc_latitude: np.ndarray
    loc_longitude: np.ndarray
    loc_state: np.ndarray  # int8 index into STATE_CODES
    # Keyword index over search_text; the build makes it while rows stream in.
    tokens: TokenIndex | None = None
    loc_city: pa.Array | None = None  # "Austin, TX" of every location; None: use hq_city
    # Responsiveness over the last 12 months (core.analytics.responsiveness): leads, and of
    # them answered within two business days; int32 (n), zeros when a partner has none.
    response_leads: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    response_within: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    # Verified reviews (issue 13): average rating, NaN without reviews, and their count.
    review_avg: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    review_count: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    # Issue 13 (core.search.index_loader.PartnerColumns has their meaning); hand-made
    # indexes may leave them out: nothing stated, everyone accepting new clients.
    confirmed_ts: np.ndarray = field(default_factory=lambda: np.zeros(0))
    industries: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint64))
    languages: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint64))
    delivery: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint8))
    accepting: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))

    def __post_init__(self) -> None:
        for name, empty in (
            ("confirmed_ts", np.full(self.size, np.nan)),
            ("industries", np.zeros(self.size, np.uint64)),
            ("languages", np.zeros(self.size, np.uint64)),
            ("delivery", np.zeros(self.size, np.uint8)),
            ("accepting", np.ones(self.size, bool)),
        ):
            if getattr(self, name).shape[0] != self.size:
                setattr(self, name, empty)
        # Hand-made indexes (tests, benchmarks) may leave the responsiveness out: none known.
        if self.response_leads.shape[0] != self.size:
            self.response_leads = np.zeros(self.size, np.int32)
        if self.response_within.shape[0] != self.size:
            self.response_within = np.zeros(self.size, np.int32)
        if self.review_count.shape[0] != self.size:
            self.review_avg = np.full(self.size, np.nan, np.float32)
            self.review_count = np.zeros(self.size, np.int32)

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
        if self.tokens is None:
            assert self.search_text is not None, "no keyword text to index"
            self.tokens = build_token_index(self.search_text)
            self.search_text = None  # the tokens replace it; 200 MB at a million partners
        return self.tokens

    @cached_property
    def strength(self) -> tuple[np.ndarray, np.ndarray]:
        """Per partner, independent of any query: breadth (areas at proficient or better,
        claim or evidence) and the share of its proficient-or-better claims that
        certifications back. Once per index: a search without needs ranks a third of a
        million partners by them."""
        claimed_strong = self.claimed >= PROFICIENT
        breadth = (np.maximum(self.claimed, self.evidenced) >= PROFICIENT).sum(axis=1)
        strong_claims = claimed_strong.sum(axis=1)
        backed = (claimed_strong & (self.evidenced >= PROFICIENT)).sum(axis=1)
        backing = np.divide(backed, strong_claims, out=np.zeros(self.size), where=strong_claims > 0)
        return breadth.astype(np.int8), backing.astype(np.float32)

    @cached_property
    def hq_state(self) -> np.ndarray:
        """int8 state index (into STATE_CODES) of each partner's headquarters; -1 if none."""
        out = np.full(self.size, -1, dtype=np.int8)
        if self.loc_row.size:
            # Locations are sorted by partner row, headquarters first within each partner.
            first = np.r_[True, self.loc_row[1:] != self.loc_row[:-1]]
            out[self.loc_row[first]] = self.loc_state[first]
        return out

    def nbytes(self) -> int:
        total = 0
        for value in self.__dict__.values():
            if isinstance(value, np.ndarray | pa.Array | pa.ChunkedArray):
                total += value.nbytes
        return total + (self.tokens.nbytes if self.tokens is not None else 0)


def build_read_index(
    engine: Engine, *, today: date | None = None, taxonomy: Taxonomy | None = None
) -> ReadIndex:
    """Read the whole directory once and lay it out for vectorised scans."""
    started = time.perf_counter()
    taxonomy = taxonomy or get_taxonomy()
    today = today or date.today()
    state_index = {code: i for i, code in enumerate(STATE_CODES)}
    # Read the version first: a write landing during the build makes the index look stale
    # at the next check and rebuild, never the other way round.
    # The tables load one after another: measured at a million partners, running them on
    # parallel connections was slower (they contend for the GIL) and took more memory.
    # The partner loader overlaps its own GIL-free keyword indexing instead.
    with engine.connect() as conn:
        version_sql = text("SELECT version FROM data_version WHERE id = 1")
        version = int(conn.execute(version_sql).scalar() or 0)
        partners = load_partners(
            conn,
            state_bits=state_index,
            segment_bits={k: i for i, k in enumerate(taxonomy.segment_keys)},
            industry_bits={k: i for i, k in enumerate(get_attributes().industries)},
            language_bits={k: i for i, k in enumerate(get_attributes().languages)},
        )
        ids = partners.ids
        cert_row_of, level_matrix = certification_level_matrix(taxonomy)
        claimed = load_claimed_levels(
            conn, ids=ids, area_keys=taxonomy.area_keys, max_level=MAX_LEVEL
        )
        cert_rows, cert_idx = load_valid_certifications(
            conn, ids=ids, certification_keys=list(cert_row_of), today=today
        )
        locations = load_locations(conn, ids=ids, state_index=state_index)
        response_leads, response_within = load_responsiveness(conn, ids=ids)
        review_avg, review_count = load_review_summaries(conn, ids=ids)
    n = ids.size

    evidenced = np.zeros_like(claimed)
    np.maximum.at(evidenced, cert_rows, level_matrix[cert_idx])
    vendor_names = taxonomy.vendors
    vendor_bit = {v: i for i, v in enumerate(vendor_names)}
    cert_vendor_bits = np.asarray(
        [
            np.uint64(1) << np.uint64(vendor_bit[taxonomy.certifications[k].vendor])
            for k in cert_row_of
        ],
        dtype=np.uint64,
    )
    vendors = np.zeros(n, dtype=np.uint64)
    np.bitwise_or.at(vendors, cert_rows, cert_vendor_bits[cert_idx])

    location_states = np.zeros(n, dtype=np.uint64)
    known_state = locations.state >= 0
    np.bitwise_or.at(
        location_states,
        locations.rows[known_state],
        np.left_shift(np.uint64(1), locations.state[known_state].astype(np.uint64)),
    )
    hq_lat = np.full(n, np.nan)
    hq_lon = np.full(n, np.nan)
    hq_city = pa.array([""] * n, type=pa.string())
    if locations.rows.size:
        first = np.flatnonzero(np.r_[True, locations.rows[1:] != locations.rows[:-1]])
        hq_rows = locations.rows[first]
        hq_lat[hq_rows] = locations.latitude[first]
        hq_lon[hq_rows] = locations.longitude[first]
        labels = np.full(n, "", dtype=object)
        labels[hq_rows] = np.asarray(locations.city_label.take(first).to_pylist(), dtype=object)
        hq_city = pa.array(labels, type=pa.string())

    index = ReadIndex(
        data_version=version,
        built_for_day=today,
        build_seconds=0.0,
        area_keys=taxonomy.area_keys,
        technology_columns=np.asarray([a.group == "technology" for a in taxonomy.areas]),
        partner_ids=ids,
        names=partners.names,
        search_text=None,  # indexed while loading, then not kept
        hq_city=hq_city,
        claimed=claimed,
        evidenced=evidenced,
        hq_latitude=hq_lat,
        hq_longitude=hq_lon,
        service_radius_km=partners.service_radius_km,
        states_served=partners.states_served,
        location_states=location_states,
        segments=partners.segments,
        vendors=vendors,
        vendor_names=vendor_names,
        freshness_ts=np.fmax(
            np.fmax(partners.updated_ts, partners.verified_ts), partners.confirmed_ts
        ),
        updated_ts=partners.updated_ts,
        verified_ts=partners.verified_ts,
        loc_row=locations.rows,
        loc_latitude=locations.latitude,
        loc_longitude=locations.longitude,
        loc_state=locations.state,
        response_leads=response_leads,
        response_within=response_within,
        review_avg=review_avg,
        review_count=review_count,
        confirmed_ts=partners.confirmed_ts,
        industries=partners.industries,
        languages=partners.languages,
        delivery=partners.delivery,
        accepting=partners.accepting,
        # Few distinct cities: dictionary-encoded, a location costs an int32.
        loc_city=locations.city_label.dictionary_encode(),
    )
    index.tokens = partners.tokens  # built now: no visitor's search pays for it
    _ = index.strength  # query-independent ranking inputs, ready before any visitor
    index.build_seconds = time.perf_counter() - started
    return index


class ReadIndexHolder:
    """Keeps one ReadIndex per process fresh against the database's data version.

    Checking costs one tiny query per search. While one caller rebuilds, others keep
    answering from the previous index instead of queueing behind the rebuild.
    """

    def __init__(
        self,
        *,
        engine: Engine,
        today: Callable[[], date] = date.today,
        rebuild: Callable[[date], ReadIndex] | None = None,
        load_initial: Callable[[date], ReadIndex | None] | None = None,
    ) -> None:
        # Stand-in for issue 15's holder (p15a), same constructor: without its deltas a
        # loaded snapshot is used only while it is current.
        self._engine = engine
        self._today = today
        self._rebuild = rebuild or (lambda day: build_read_index(engine, today=day))
        self._load_initial = load_initial
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
            if current is None and self._load_initial is not None:
                loaded = self._load_initial(self._today())
                if loaded is not None and not self._is_stale(loaded, version):
                    current = self._index = loaded
            if current is None or self._is_stale(current, version):
                current = self._index = self._rebuild(self._today())
            return current
        finally:
            self._lock.release()
