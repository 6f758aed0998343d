"""Partner-to-partner: the nearby partners that best fill one partner's gaps.

A gap is an area (technology domain or business service) where the partner's own level, the
higher of claim and evidence, is below the level asked for (proficient by default). A
complement is another partner within the radius of any of its offices who brings at least
one gap area at that level. Complements rank by a published score, 0–100, no paid boost:

* fills     (60) — per gap, the complement's strength there (certified level + half of any
  self-assessed level above it, over expert), summed over the gaps and divided by their count;
* distance  (25) — 1 − distance / radius;
* freshness (15) — 1 − profile age / two years.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import pyarrow.compute as pc

from core.geo.places import Place
from core.search.index import STATE_CODES, ReadIndex
from core.search.ranking import FRESHNESS_HORIZON_DAYS, nearest_location_km
from core.taxonomy import EXPERT, PROFICIENT
from core.teams.finder import find_teams_for_place
from core.teams.query import TeamQuery
from core.teams.types import TeamResult

COMPLEMENT_WEIGHTS = {"fills": 60.0, "distance": 25.0, "freshness": 15.0}


class UnknownPartnerError(LookupError):
    """The partner is not (or no longer) in the directory."""


@dataclass(frozen=True)
class AreaAdd:
    key: str
    claimed: int
    evidenced: int
    certified: bool  # evidenced at the level asked for, not only claimed


@dataclass
class Complement:
    partner_id: int
    name: str
    hq_city: str
    distance_km: float | None
    adds: list[AreaAdd]  # gap areas it brings, in taxonomy order
    score: float
    score_parts: dict[str, float] = field(default_factory=dict)

    @property
    def fills(self) -> list[str]:
        return [a.key for a in self.adds]


@dataclass(frozen=True)
class PartnerGaps:
    partner_id: int
    name: str
    hq_city: str
    strengths: list[str]  # areas at the level or better
    gaps: list[str]  # the rest, in taxonomy order


def _row(index: ReadIndex, partner_id: int) -> int:
    rows = index.rows_of([partner_id])
    if rows.size == 0:
        raise UnknownPartnerError(f"There is no partner number {partner_id} in the directory.")
    return int(rows[0])


def partner_gaps(*, index: ReadIndex, partner_id: int, min_level: int = PROFICIENT) -> PartnerGaps:
    row = _row(index, partner_id)
    levels = np.maximum(index.claimed[row], index.evidenced[row])
    return PartnerGaps(
        partner_id=partner_id,
        name=str(index.names[row]),
        hq_city=str(index.hq_city[row]),
        strengths=[k for k, lv in zip(index.area_keys, levels, strict=True) if lv >= min_level],
        gaps=[k for k, lv in zip(index.area_keys, levels, strict=True) if lv < min_level],
    )


def _office_places(index: ReadIndex, row: int) -> list[Place]:
    lo, hi = np.searchsorted(index.loc_row, [row, row + 1])
    places = []
    for i in range(lo, hi):
        state = STATE_CODES[index.loc_state[i]] if index.loc_state[i] >= 0 else ""
        places.append(
            Place(
                label=str(index.hq_city[row]),
                latitude=float(index.loc_latitude[i]),
                longitude=float(index.loc_longitude[i]),
                state=state,
                zip_code=None,
            )
        )
    return places


def distance_from_offices(index: ReadIndex, row: int, *, radius_km: float) -> np.ndarray | None:
    """Km from the nearest of the partner's offices to every partner (inf beyond the radius);
    None when the partner has no office to measure from."""
    places = _office_places(index, row)
    if not places:
        return None
    nearest = np.full(index.size, np.inf)
    for place in places:
        np.minimum(nearest, nearest_location_km(index, place, within_km=radius_km), out=nearest)
    return nearest


def find_complements(
    *,
    index: ReadIndex,
    partner_id: int,
    radius_km: float = 80.0,
    min_level: int = PROFICIENT,
    limit: int = 10,
    now: datetime | None = None,
) -> list[Complement]:
    """Nearby partners that bring the partner's gap areas, best first."""
    now = now or datetime.now(UTC)
    row = _row(index, partner_id)
    gaps = partner_gaps(index=index, partner_id=partner_id, min_level=min_level).gaps
    if not gaps:
        return []
    km = distance_from_offices(index, row, radius_km=radius_km)
    rows = np.flatnonzero(km <= radius_km) if km is not None else np.arange(index.size)
    rows = rows[(rows != row) & index.live[rows]]  # a deleted partner brings nothing
    cols = [index.column(k) for k in gaps]
    claimed = index.claimed[np.ix_(rows, cols)].astype(np.float64)
    evidenced = index.evidenced[np.ix_(rows, cols)].astype(np.float64)
    brings = np.maximum(claimed, evidenced) >= min_level
    useful = brings.any(axis=1)
    rows, claimed, evidenced, brings = (
        rows[useful],
        claimed[useful],
        evidenced[useful],
        brings[useful],
    )
    strength = np.where(brings, (evidenced + 0.5 * np.maximum(claimed - evidenced, 0)) / EXPERT, 0)
    w = COMPLEMENT_WEIGHTS
    fills = w["fills"] * strength.sum(axis=1) / len(gaps)
    distance = km[rows] if km is not None else None
    close = (
        w["distance"] * np.clip(1 - distance / radius_km, 0, 1)
        if distance is not None
        else np.zeros(rows.size)
    )
    age_days = (now.timestamp() - index.freshness_ts[rows]) / 86400
    fresh = w["freshness"] * np.clip(
        1 - np.nan_to_num(age_days, nan=1e9) / FRESHNESS_HORIZON_DAYS, 0, 1
    )
    total = fills + close + fresh
    tie_distance = distance if distance is not None else np.zeros(rows.size)
    order = np.lexsort((index.partner_ids[rows], tie_distance, -np.round(total, 6)))[:limit]
    out = []
    for i in order:
        r = int(rows[i])
        adds = [
            AreaAdd(
                key, int(claimed[i, j]), int(evidenced[i, j]), bool(evidenced[i, j] >= min_level)
            )
            for j, key in enumerate(gaps)
            if brings[i, j]
        ]
        out.append(
            Complement(
                partner_id=int(index.partner_ids[r]),
                name=str(index.names[r]),
                hq_city=str(index.hq_city[r]),
                distance_km=None if distance is None else round(float(distance[i]), 1),
                adds=adds,
                score=round(float(total[i]), 1),
                score_parts={
                    "fills": round(float(fills[i]), 1),
                    "distance": round(float(close[i]), 1),
                    "freshness": round(float(fresh[i]), 1),
                },
            )
        )
    return out


def closing_team(
    *,
    index: ReadIndex,
    partner_id: int,
    radius_km: float = 80.0,
    min_level: int = PROFICIENT,
    max_size: int = 3,
    now: datetime | None = None,
) -> TeamResult | None:
    """The smallest team of other nearby partners that fills every gap (None: no gaps or no
    office). Measured from the headquarters, with the exact team search."""
    row = _row(index, partner_id)
    gaps = partner_gaps(index=index, partner_id=partner_id, min_level=min_level).gaps
    places = _office_places(index, row)
    if not gaps or not places:
        return None
    query = TeamQuery(
        needs=gaps, min_level=min_level, radius_km=radius_km, max_size=max_size, alternatives=0
    )
    return find_teams_for_place(index, query, places[0], now=now, exclude_partner_ids=(partner_id,))


def partners_named(index: ReadIndex, text: str, *, limit: int = 20) -> list[tuple[int, str, str]]:
    """(id, name, HQ city) of partners whose name contains every word typed, A–Z."""
    words = text.lower().split()
    if not words:
        return []
    hit = index.live.copy()  # deleted partners are not named
    for word in words:
        hit &= pc.match_substring(pc.utf8_lower(index.names), word).to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(hit)
    names = index.names.take(rows).to_pylist()
    found = sorted(zip(names, rows.tolist(), strict=True), key=lambda t: (t[0].casefold(), t[1]))
    return [(int(index.partner_ids[r]), name, str(index.hq_city[r])) for name, r in found[:limit]]
