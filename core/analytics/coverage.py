"""Per-state aggregates for the regional map's choropleth layers.

Three measures, each an array aligned with ``STATE_CODES`` (50 states + DC):

* partners matching a query, counted in every state where they have a location;
* partners whose *evidenced* level in a domain is proficient or better (certifications, not
  claims), again per location state;
* unmet demand: recorded searches in the state that found fewer than ``below`` partners.

Counting by location state (not only the headquarters) is what a regional team means by "we
have a partner there"; the map's count bubbles use the headquarters instead, so that their
numbers add up to the search total.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

import numpy as np
from sqlalchemy import Engine, String, cast, func, select
from sqlmodel import col

from core.analytics.regional import UNMET_BELOW
from core.models import SEARCH_KIND, SearchEvent
from core.search.index import STATE_CODES, ReadIndex
from core.taxonomy import PROFICIENT

_STATE_INDEX = {code: i for i, code in enumerate(STATE_CODES)}
_BITS = 64


def _count_state_bits(masks: np.ndarray) -> np.ndarray:
    """How many masks have each state bit set.

    Most partners have locations in one state, so single-bit masks are counted with one
    bincount (log2 of a power of two is exact in float64); only the rest are scanned bit by bit.
    """
    masks = masks[masks != 0]
    single = np.bitwise_count(masks) == 1
    counts = np.bincount(
        np.log2(masks[single].astype(np.float64)).astype(np.int64), minlength=_BITS
    ).astype(np.int64)
    multi = masks[~single]
    if multi.size:
        for bit in range(len(STATE_CODES)):
            counts[bit] += np.count_nonzero(multi & (np.uint64(1) << np.uint64(bit)))
    return counts[: len(STATE_CODES)]


def partners_per_state(index: ReadIndex, rows: np.ndarray) -> np.ndarray:
    """Partners among ``rows`` with at least one location in each state."""
    return _count_state_bits(index.location_states[np.asarray(rows, dtype=np.int64)])


def evidenced_per_state(
    index: ReadIndex,
    area_key: str,
    *,
    min_level: int = PROFICIENT,
    rows: np.ndarray | None = None,
) -> np.ndarray:
    """Partners whose certifications evidence ``area_key`` at ``min_level`` or better, per state.

    ``rows`` limits the count to some partners (default: the whole directory).
    """
    column = index.column(area_key)
    strong = index.evidenced[:, column] >= min_level
    if rows is not None:
        keep = np.zeros(index.size, dtype=bool)
        keep[np.asarray(rows, dtype=np.int64)] = True
        strong &= keep
    return _count_state_bits(index.location_states[strong])


def hq_states(index: ReadIndex) -> np.ndarray:
    """int8 state index (into STATE_CODES) of each partner's headquarters; -1 if none."""
    return index.hq_state


def unmet_demand_per_state(
    *,
    engine: Engine,
    since: datetime,
    below: int = UNMET_BELOW,
    needs: Iterable[str] = (),
) -> np.ndarray:
    """Recorded searches since ``since`` that found fewer than ``below`` partners, per state.

    With ``needs``, only searches that asked for at least one of them count. Searches without
    a place have no state and are left out.
    """
    wanted = set(needs)
    # needs is JSON; PostgreSQL's json type cannot be grouped, its text can (SQLite: already text).
    needs_text = cast(col(SearchEvent.needs), String)
    statement = (
        select(col(SearchEvent.state), needs_text, func.count())
        .where(
            # The typed column (UTCDateTime) binds the timestamp as UTC for each dialect.
            col(SearchEvent.at) >= since,
            col(SearchEvent.result_count) < int(below),
            # Only Find partners searches: a team event's result_count counts teams.
            col(SearchEvent.kind) == SEARCH_KIND,
            col(SearchEvent.state).is_not(None),
        )
        .group_by(col(SearchEvent.state), needs_text)
    )
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
    counts = np.zeros(len(STATE_CODES), dtype=np.int64)
    for state, needs_json, count in rows:
        position = None if state is None else _STATE_INDEX.get(state)
        if position is None:
            continue
        if wanted and not wanted.intersection(json.loads(needs_json or "[]")):
            continue
        counts[position] += int(count)
    return counts


def state_values(counts: np.ndarray) -> dict[str, int]:
    """{state code: count} for an array aligned with STATE_CODES."""
    return {code: int(counts[i]) for i, code in enumerate(STATE_CODES)}
