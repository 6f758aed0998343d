"""Team builder: the smallest team of nearby partners that together cover every need.

Candidates are the partners in range (the same geography as Find partners). For each need a
candidate either meets it (level >= the minimum, evidence alone for technology when asked)
or not. ``core.team_search`` then finds, exactly, the smallest team size and the best teams
of that size under this published score (0–100, no paid placement):

* evidence  (60) — per need, the strength of the member credited with it (the strongest
  member on that need), averaged over the needs. Strength = (certified level + half of any
  self-assessed level above it) / expert, the same measure Find partners uses.
* distance  (25) — per member, 1 − distance / radius (0 at or beyond the radius), averaged.
* freshness (15) — per member, 1 − profile age / two years (0 when older), averaged.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import Engine

from core.geo.distance import haversine_km
from core.geo.places import Place
from core.search.index import ReadIndex, ReadIndexHolder
from core.search.ranking import (
    FRESHNESS_HORIZON_DAYS,
    effective_levels,
    match_partners,
    nearest_location_km,
    resolve_query_place,
)
from core.taxonomy import EXPERT
from core.teams.cover import coverage_masks, smallest_team_size
from core.teams.query import TeamQuery
from core.teams.solver import best_teams
from core.teams.types import NearestPartner, Team, TeamMember, TeamResult, explain_team

TEAM_SCORE_WEIGHTS = {"evidence": 60.0, "distance": 25.0, "freshness": 15.0}
NEAREST_SEARCH_KM = 10_000.0  # "anywhere in the country" when looking beyond the radius


def find_teams(
    *, engine: Engine, query: TeamQuery, holder: ReadIndexHolder | None = None
) -> TeamResult:
    """The CLI's and scripts' entry point: builds (or reuses) the index, then searches."""
    holder = holder or ReadIndexHolder(engine=engine)
    return find_teams_in_index(holder.get(), query)


def find_teams_in_index(
    index: ReadIndex, query: TeamQuery, *, now: datetime | None = None
) -> TeamResult:
    place = resolve_query_place(query.search_query())
    return find_teams_for_place(index, query, place, now=now)


def find_teams_for_place(
    index: ReadIndex,
    query: TeamQuery,
    place: Place | None,
    *,
    now: datetime | None = None,
    exclude_partner_ids: tuple[int, ...] = (),
) -> TeamResult:
    """Teams around an already resolved place (None: anywhere). Used by P2P as well."""
    started = time.perf_counter()
    now = now or datetime.now(UTC)
    matches = match_partners(index, query.search_query(), place, apply_needs=False)
    rows, distance = matches.rows, matches.distance_km
    if exclude_partner_ids:
        keep = ~np.isin(index.partner_ids[rows], np.asarray(exclude_partner_ids, np.int64))
        rows = rows[keep]
        distance = None if distance is None else distance[keep]
    columns = [index.column(k) for k in query.needs]
    cells = np.ix_(rows, np.asarray(columns, dtype=np.intp))
    claimed = index.claimed[cells].astype(np.float64)
    evidenced = index.evidenced[cells].astype(np.float64)
    meets = effective_levels(index, columns, evidence_only=query.evidence_only)[rows]
    meets = meets >= query.min_level
    result = TeamResult(query=query, place=place)
    result.candidates = int(meets.any(axis=1).sum())
    uncovered = [k for j, k in enumerate(query.needs) if not meets[:, j].any()]
    if uncovered:
        result.uncovered_needs = uncovered
        if place is not None:
            result.nearest_for_uncovered = _nearest_beyond(index, query, place, uncovered)
        return result.finish(started)

    needs = len(query.needs)
    masks = coverage_masks(meets)
    size = smallest_team_size(masks, needs, limit=query.max_size)
    if size is None:
        result.smallest_size = smallest_team_size(masks, needs, limit=needs)
        return result.finish(started)

    strength = np.where(meets, (evidenced + 0.5 * np.maximum(claimed - evidenced, 0)) / EXPERT, 0)
    close = (
        np.clip(1.0 - distance / query.radius_km, 0.0, 1.0)
        if distance is not None
        else np.zeros(rows.size)
    )
    age_days = (now.timestamp() - index.freshness_ts[rows]) / 86400.0
    fresh = np.clip(1.0 - np.nan_to_num(age_days, nan=1e9) / FRESHNESS_HORIZON_DAYS, 0.0, 1.0)
    weights = TEAM_SCORE_WEIGHTS
    evidence_part = strength * (weights["evidence"] / needs)
    quality = (weights["distance"] * close + weights["freshness"] * fresh) / size
    found = best_teams(evidence_part, quality, size=size, count=1 + query.alternatives)

    result.size = size
    for scored in found:
        positions = np.asarray(scored.members)
        members = [
            _member(index, query, place, rows[p], None if distance is None else distance[p])
            for p in positions
        ]
        by_id = {m.partner_id: m for m in members}
        assignment = {}
        for j, need in enumerate(query.needs):
            # Credit the strongest member; then the closer/fresher one; then the lower id.
            def credit(p: int, j: int = j) -> tuple[np.float64, np.float64, np.intp]:
                return strength[p, j], quality[p], -rows[p]

            best = max(positions, key=credit)
            assignment[need] = int(index.partner_ids[rows[best]])
        for need, pid in assignment.items():
            by_id[pid].assigned.append(need)
        team = Team(
            score=round(scored.score, 1),
            exact_score=scored.score,
            score_parts={
                "evidence": round(float(evidence_part[positions].max(axis=0).sum()), 1),
                "distance": round(float(weights["distance"] * close[positions].mean()), 1),
                "freshness": round(float(weights["freshness"] * fresh[positions].mean()), 1),
            },
            members=sorted(members, key=lambda m: (-len(m.assigned), m.distance_km or 0.0)),
            assignment=assignment,
        )
        team.explanation = explain_team(team, query, place, now=now)
        result.teams.append(team)
    result.teams.sort(key=lambda t: (-round(t.exact_score, 6), t.total_distance_km, t.ids))
    return result.finish(started)


def _member(
    index: ReadIndex, query: TeamQuery, place: Place | None, row: int, distance: float | None
) -> TeamMember:
    levels = {}
    for key in query.needs:
        col = index.column(key)
        claimed, evidenced = int(index.claimed[row, col]), int(index.evidenced[row, col])
        technology = bool(index.technology_columns[col])
        effective = evidenced if (query.evidence_only and technology) else max(claimed, evidenced)
        if effective >= query.min_level:
            levels[key] = (claimed, evidenced)
    # Where to pin the member on a map: its location nearest the customer (else its HQ).
    lo, hi = np.searchsorted(index.loc_row, [row, row + 1])
    lat, lon = float(index.hq_latitude[row]), float(index.hq_longitude[row])
    if place is not None and hi > lo:
        km = haversine_km(
            place.latitude, place.longitude, index.loc_latitude[lo:hi], index.loc_longitude[lo:hi]
        )
        nearest = lo + int(np.argmin(km))
        lat, lon = float(index.loc_latitude[nearest]), float(index.loc_longitude[nearest])
    return TeamMember(
        partner_id=int(index.partner_ids[row]),
        name=str(index.names[row]),
        hq_city=str(index.hq_city[row]),
        distance_km=None if distance is None else round(float(distance), 2),
        reach=None
        if place is None
        else ("nearby" if distance is not None and distance <= query.radius_km else "service_area"),
        covers=list(levels),
        levels=levels,
        latitude=None if np.isnan(lat) else lat,
        longitude=None if np.isnan(lon) else lon,
        updated_at=None
        if np.isnan(index.updated_ts[row])
        else datetime.fromtimestamp(float(index.updated_ts[row]), tz=UTC),
    )


def _nearest_beyond(
    index: ReadIndex, query: TeamQuery, place: Place, uncovered: list[str]
) -> dict[str, NearestPartner]:
    """For each need nobody in range covers: the closest partner anywhere who does."""
    nearest: dict[str, NearestPartner] = {}
    for need in uncovered:
        wanted = query.search_query().model_copy(update={"needs": [need]})
        rows = match_partners(index, wanted, None).rows  # every filter except the place
        if rows.size == 0:
            continue
        mask = np.zeros(index.size, dtype=bool)
        mask[rows] = True
        km = nearest_location_km(index, place, within_km=NEAREST_SEARCH_KM, rows_mask=mask)
        row = int(np.argmin(km))
        if np.isfinite(km[row]):
            nearest[need] = NearestPartner(
                partner_id=int(index.partner_ids[row]),
                name=str(index.names[row]),
                hq_city=str(index.hq_city[row]),
                distance_km=round(float(km[row]), 1),
            )
    return nearest
