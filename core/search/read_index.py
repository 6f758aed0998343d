"""The compact in-memory read index that search, maps and teams scan (its layout).

core.search.index builds it from the database and keeps it fresh; core.search.deltas
applies a few changed partners to it in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import numpy as np
import pyarrow as pa

from core.geo.states import STATE_NAMES
from core.search.token_index import TokenIndex, build_token_index
from core.search.token_overlay import OverlaidTokens
from core.taxonomy import PROFICIENT

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
    tokens: TokenIndex | OverlaidTokens | None = None
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
    # False for a partner deleted since the build (core.search.deltas): its row stays, so
    # rows keep their numbers, but it never matches a search, team, map or complement.
    live: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))

    def __post_init__(self) -> None:
        for name, empty in (
            ("confirmed_ts", np.full(self.size, np.nan)),
            ("industries", np.zeros(self.size, np.uint64)),
            ("languages", np.zeros(self.size, np.uint64)),
            ("delivery", np.zeros(self.size, np.uint8)),
            ("accepting", np.ones(self.size, bool)),
            ("live", np.ones(self.size, bool)),
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
        rows = rows[found]
        return rows[self.live[rows]]  # a deleted partner is not in the directory

    def token_index(self) -> TokenIndex | OverlaidTokens:
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
