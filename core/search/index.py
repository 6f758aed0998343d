"""The compact in-memory read index that search, maps and teams scan.

The database is the source of truth. Each process builds this columnar copy once (NumPy
arrays of levels, coordinates and bit masks; Arrow arrays for text) and follows the
data-version counter in the database, so several app processes on one PostgreSQL stay
coherent: a few changed partners are applied in place (core.search.deltas), anything
bigger is rebuilt beside the serving index. Evidence is derived here in one vectorised
pass, so a search never touches the database.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import threading
import time
from collections.abc import Callable
from datetime import date

import numpy as np
import pyarrow as pa
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from core.db import read_data_version
from core.evidence import certification_level_matrix
from core.partner_attributes import get_attributes
from core.search.deltas import catch_up
from core.search.index_loader import (
    id_list_sql,
    load_claimed_levels,
    load_locations,
    load_partners,
    load_responsiveness,
    load_review_summaries,
    load_valid_certifications,
)
from core.search.read_index import STATE_BIT as STATE_BIT
from core.search.read_index import STATE_CODES as STATE_CODES
from core.search.read_index import ReadIndex as ReadIndex
from core.search.read_index import state_mask as state_mask
from core.taxonomy import MAX_LEVEL, Taxonomy, get_taxonomy

logger = logging.getLogger(__name__)


def build_read_index(
    engine: Engine,
    *,
    today: date | None = None,
    taxonomy: Taxonomy | None = None,
    only_ids: np.ndarray | None = None,
) -> ReadIndex:
    """Read the whole directory once and lay it out for vectorised scans.

    `only_ids`: just these partners (those that still exist), laid out the same way, for
    applying them to a serving index (core.search.deltas)."""
    only = None if only_ids is None else id_list_sql(only_ids)
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
            only=only,
        )
        ids = partners.ids
        cert_row_of, level_matrix = certification_level_matrix(taxonomy)
        claimed = load_claimed_levels(
            conn, ids=ids, area_keys=taxonomy.area_keys, max_level=MAX_LEVEL, only=only
        )
        cert_rows, cert_idx = load_valid_certifications(
            conn, ids=ids, certification_keys=list(cert_row_of), today=today, only=only
        )
        locations = load_locations(conn, ids=ids, state_index=state_index, only=only)
        response_leads, response_within = load_responsiveness(conn, ids=ids, only=only)
        review_avg, review_count = load_review_summaries(conn, ids=ids, only=only)
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


def _release_memory() -> None:
    """Hand the previous index and the build's garbage back to the operating system.

    glibc keeps freed heap pages for reuse, so without a trim every rebuild leaves the
    process bigger (issue 15 measured +400 MB per rebuild at a million partners)."""
    gc.collect()
    pa.default_memory_pool().release_unused()  # Arrow's own allocator keeps freed pages too
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)


class ReadIndexHolder:
    """Keeps one ReadIndex per process fresh against the database's data version.

    Checking costs one tiny query per search. Behind by a few partners, the caller that
    notices applies them in place (milliseconds; core.search.deltas); others keep answering
    from the index they have. Anything a delta cannot carry (a bulk write, pruned history,
    a new day) is rebuilt on a background thread beside the serving index, which is then
    caught up with the changes committed meanwhile and swapped in: once an index exists no
    caller ever waits for a build.

    `rebuild(day)` builds a whole index (default build_read_index; p15b passes a child
    process build); `load_initial(day)` may offer a first index (a snapshot), possibly
    older than the database: it is caught up like any other. `database_unreachable` is True
    while the version check fails; searches meanwhile answer from the index at hand.
    """

    def __init__(
        self,
        *,
        engine: Engine,
        today: Callable[[], date] = date.today,
        rebuild: Callable[[date], ReadIndex] | None = None,
        load_initial: Callable[[date], ReadIndex | None] | None = None,
    ) -> None:
        self._engine = engine
        self._today = today
        self._rebuild = rebuild or (lambda day: build_read_index(engine, today=day))
        self._load_initial = load_initial
        self._index: ReadIndex | None = None
        self._lock = threading.Lock()  # one catch-up (or first build) at a time
        self._rebuilding: threading.Thread | None = None
        self.database_unreachable = False
        # Observability for benchmarks and logs.
        self.deltas_applied = 0
        self.full_rebuilds = 0
        self.last_delta_cpu_seconds = 0.0
        self.last_rebuild_error: BaseException | None = None

    def current_version(self) -> int:
        with Session(self._engine) as session:
            return read_data_version(session)

    def _is_fresh(self, index: ReadIndex, version: int) -> bool:
        # A new day can expire certifications, so evidence is re-derived daily too.
        return index.data_version == version and index.built_for_day == self._today()

    def get(self) -> ReadIndex:
        try:
            version = self.current_version()
        except DBAPIError:
            self.database_unreachable = True
            if self._index is None:
                raise
            return self._index
        self.database_unreachable = False
        if self._index is None:
            with self._lock:
                if self._index is None:
                    self._index = self._first_index()
        index = self._index
        if self._is_fresh(index, version) or not self._lock.acquire(blocking=False):
            return index  # fresh, or someone else is catching up: this is still valid data
        try:
            self._catch_up(version)
        except DBAPIError:
            self.database_unreachable = True
        finally:
            self._lock.release()
        return self._index

    @property
    def index(self) -> ReadIndex | None:
        """The index held now, without checking the database (snapshots, tests)."""
        return self._index

    @property
    def rebuilding(self) -> bool:
        return self._rebuilding is not None and self._rebuilding.is_alive()

    def wait_for_rebuild(self, timeout: float | None = None) -> bool:
        """Wait for a background rebuild to finish; True when none is running (tests, bench)."""
        thread = self._rebuilding
        if thread is not None:
            thread.join(timeout)
        return not self.rebuilding

    def _first_index(self) -> ReadIndex:
        day = self._today()
        initial = self._load_initial(day) if self._load_initial is not None else None
        if initial is not None:
            return initial
        self.full_rebuilds += 1
        return self._rebuild(day)

    def _load_partners(self, day: date) -> Callable[[np.ndarray], ReadIndex]:
        return lambda ids: build_read_index(self._engine, today=day, only_ids=ids)

    def _advance(self, index: ReadIndex, version: int) -> ReadIndex | None:
        started = time.thread_time()
        load = self._load_partners(index.built_for_day)
        caught = catch_up(index, engine=self._engine, version=version, load=load)
        if caught is not None and caught is not index:
            self.deltas_applied += 1
            self.last_delta_cpu_seconds = time.thread_time() - started
        return caught

    def _catch_up(self, version: int) -> None:
        index = self._index
        if index is None or self.rebuilding:
            return  # the rebuild catches up when it is done
        caught = None
        if index.built_for_day == self._today():
            caught = self._advance(index, version)
        if caught is None:
            self._start_rebuild()
        else:
            self._index = caught

    def _start_rebuild(self) -> None:
        thread = threading.Thread(
            target=self._run_rebuild, args=(self._today(),), name="read-index-rebuild", daemon=True
        )
        self._rebuilding = thread
        thread.start()

    def _run_rebuild(self, day: date) -> None:
        try:
            fresh = self._rebuild(day)
            self.full_rebuilds += 1
            # Writes committed while it was built: applied before it serves anyone.
            caught = self._advance(fresh, self.current_version())
            with self._lock:
                self._index = caught or fresh  # still behind: the next get() starts again
            del fresh, caught
            _release_memory()
        except Exception as error:
            self.last_rebuild_error = error
            logger.exception("read index rebuild failed; the previous index keeps serving")
