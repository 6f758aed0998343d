"""Breadth search over the read index: filter, rank transparently, explain every rank.

A query is validated once (``SearchQuery``), resolved to a place offline, turned into
boolean masks over the index (``match_partners``), then ranked (``rank_matches``). The
score is the sum of five published parts — coverage, evidence, distance, freshness and a
small responsiveness part (core.search.responsiveness) — with no paid boost, and every
result carries the lines that explain it. A profile not confirmed for ``STALE_AFTER_DAYS``
is marked stale and earns no freshness points.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import Engine

from core.evidence import ClaimCheck
from core.geo.distance import haversine_km
from core.geo.places import Place, UnknownPlaceError, resolve_place
from core.partner_attributes import get_attributes
from core.search import responsiveness
from core.search.attributes import DELIVERY_OF_BITS, attribute_mask, keys_of
from core.search.index import STATE_BIT, ReadIndex, ReadIndexHolder, state_mask
from core.search.query import PlaceNotFoundError, SearchQuery
from core.search.results import NeedCoverage, RankedPartner, SearchResults, explain
from core.taxonomy import EXPERT, get_taxonomy

SCORE_WEIGHTS = {
    "coverage": 50.0,
    "evidence": 20.0,
    "distance": 20.0,
    "freshness": 10.0,
    "responsiveness": responsiveness.WEIGHT,
}
FRESHNESS_HORIZON_DAYS = 730.0  # freshness points fall to nothing over two years (teams)
# A profile not updated or confirmed for a year is stale: marked in results, and it earns no
# freshness points at all (before the horizon would take the last of them away).
STALE_AFTER_DAYS = 365.0
KM_PER_DEGREE = 111.2


@dataclass
class Matches:
    """Rows of the index that pass every filter, with their distance to the place."""

    rows: np.ndarray
    distance_km: np.ndarray | None  # nearest location, aligned with rows
    via_service_area: np.ndarray | None  # bool, aligned with rows


def resolve_query_place(query: SearchQuery) -> Place | None:
    if query.near is None:
        return None
    try:
        return resolve_place(query.near)
    except UnknownPlaceError as exc:
        raise PlaceNotFoundError(str(exc), suggestion=exc.suggestion) from exc


def effective_levels(index: ReadIndex, columns: list[int], *, evidence_only: bool) -> np.ndarray:
    """Levels that count for matching: evidence alone for technology when asked, else the
    higher of claim and evidence. Business services rarely have certifications, so they
    are judged on what the partner offers (directly or through an ally) in both modes."""
    claimed = index.claimed[:, columns]
    evidenced = index.evidenced[:, columns]
    if not evidence_only:
        return np.maximum(claimed, evidenced)
    technology = index.technology_columns[columns]
    return np.where(technology, evidenced, np.maximum(claimed, evidenced))


def nearest_location_km(
    index: ReadIndex, place: Place, *, within_km: float, rows_mask: np.ndarray | None = None
) -> np.ndarray:
    """Great-circle km from the place to each partner's nearest location (inf beyond
    within_km). A bounding box first keeps the exact haversine to a few thousand points."""
    lat_span = within_km / KM_PER_DEGREE
    lon_span = within_km / (KM_PER_DEGREE * max(np.cos(np.radians(place.latitude)), 0.01))
    candidate = (np.abs(index.loc_latitude - place.latitude) <= lat_span) & (
        np.abs(index.loc_longitude - place.longitude) <= lon_span
    )
    if rows_mask is not None:
        candidate &= rows_mask[index.loc_row]
    picked = np.flatnonzero(candidate)
    nearest = np.full(index.size, np.inf)
    if picked.size:
        km = haversine_km(
            place.latitude, place.longitude, index.loc_latitude[picked], index.loc_longitude[picked]
        )
        np.minimum.at(nearest, index.loc_row[picked], km)
    return nearest


def match_partners(
    index: ReadIndex, query: SearchQuery, place: Place | None, *, apply_needs: bool = True
) -> Matches:
    mask = index.live.copy()  # partners deleted since the build never match
    if apply_needs and query.needs:
        columns = [index.column(k) for k in query.needs]
        levels = effective_levels(index, columns, evidence_only=query.evidence_only)
        mask &= (levels >= query.min_level).all(axis=1)
    states = list(query.states)
    if query.region:
        states += list(get_taxonomy().region(query.region).states)
    if states:
        mask &= (index.location_states & state_mask(states)) != 0
    if query.segment:
        segment_bit = np.uint8(1 << get_taxonomy().segment_keys.index(query.segment))
        mask &= (index.segments & segment_bit) != 0
    if query.vendor:
        vendor_bit = np.uint64(1) << np.uint64(index.vendor_names.index(query.vendor))
        mask &= (index.vendors & vendor_bit) != 0
    if query.responsive:
        mask &= responsiveness.responsive_mask(index.response_leads, index.response_within)
    mask &= attribute_mask(index, query)
    if query.keyword:
        hits = index.token_index().match(query.keyword, size=index.size)
        if hits is not None:
            mask &= hits
    if place is None:
        rows = np.flatnonzero(mask)
        return Matches(rows=rows, distance_km=None, via_service_area=None)

    nearest = nearest_location_km(index, place, within_km=query.radius_km, rows_mask=mask)
    inside = nearest <= query.radius_km
    via_service = np.zeros(index.size, dtype=bool)
    if query.include_service_area:
        served_state = (index.states_served & STATE_BIT.get(place.state, np.uint64(0))) != 0
        reach_km = float(index.service_radius_km.max(initial=0.0))
        far = nearest_location_km(index, place, within_km=max(reach_km, 1.0), rows_mask=mask)
        served_radius = far <= index.service_radius_km
        via_service = mask & ~inside & (served_state | served_radius)
        nearest = np.where(inside, nearest, far)
    keep = mask & (inside | via_service)
    rows = np.flatnonzero(keep)
    return Matches(rows=rows, distance_km=nearest[rows], via_service_area=via_service[rows])


def score_matches(
    index: ReadIndex, query: SearchQuery, matches: Matches, *, now_ts: float
) -> dict[str, np.ndarray]:
    rows = matches.rows
    if query.needs:
        columns = [index.column(k) for k in query.needs]
        cells = np.ix_(rows, np.asarray(columns, dtype=np.intp))
        claimed = index.claimed[cells].astype(np.float32)
        evidenced = index.evidenced[cells].astype(np.float32)
        strength = (evidenced + 0.5 * np.maximum(claimed - evidenced, 0)) / EXPERT
        coverage = strength.mean(axis=1)
        evidence = (evidenced >= query.min_level).mean(axis=1)
    else:
        breadth, backing = index.strength
        coverage = np.minimum(breadth[rows] / 6.0, 1.0)
        evidence = backing[rows]
    if matches.distance_km is not None:
        distance = np.clip(1.0 - matches.distance_km / query.radius_km, 0.0, 1.0)
    else:
        distance = np.zeros(rows.size)
    age_days = np.nan_to_num((now_ts - index.freshness_ts[rows]) / 86400.0, nan=1e9)
    freshness = np.clip(1.0 - age_days / FRESHNESS_HORIZON_DAYS, 0.0, 1.0)
    freshness[age_days >= STALE_AFTER_DAYS] = 0.0
    answered = responsiveness.ranking_share(index.response_leads[rows], index.response_within[rows])
    parts = {
        "coverage": coverage * SCORE_WEIGHTS["coverage"],
        "evidence": evidence * SCORE_WEIGHTS["evidence"],
        "distance": distance * SCORE_WEIGHTS["distance"],
        "freshness": freshness * SCORE_WEIGHTS["freshness"],
        "responsiveness": answered * SCORE_WEIGHTS["responsiveness"],
    }
    parts["total"] = sum(parts.values())
    return parts


def breadth_of(index: ReadIndex, rows: np.ndarray) -> np.ndarray:
    """Areas (domains and services) covered at proficient or better, claim or evidence."""
    return index.strength[0][rows]


def _order(index: ReadIndex, query: SearchQuery, matches: Matches, total: np.ndarray) -> np.ndarray:
    """Positions into matches.rows in display order; ties broken by partner id so paging is
    stable between runs."""
    ids = index.partner_ids[matches.rows]
    dist = matches.distance_km if matches.distance_km is not None else np.zeros(ids.size)
    if query.sort == "distance":
        return np.lexsort((ids, -total, dist))
    if query.sort == "breadth":
        return np.lexsort((ids, -total, -breadth_of(index, matches.rows)))
    if query.sort == "freshness":
        return np.lexsort((ids, -np.nan_to_num(index.freshness_ts[matches.rows], nan=0.0)))
    if query.sort == "rating":  # best average first, more reviews first among equals
        avg = np.nan_to_num(index.review_avg[matches.rows], nan=-1.0)
        return np.lexsort((ids, -total, -index.review_count[matches.rows], -avg))
    if query.sort == "name":
        names = np.asarray(index.names.take(matches.rows).to_pylist(), dtype=object)
        lowered = np.asarray([n.casefold() for n in names], dtype=object)
        return np.lexsort((ids, lowered))
    rounded = np.round(total, 6)
    wanted = query.page * query.page_size
    if wanted < rounded.size // 4:
        # Only the first pages are ever shown: partial selection beats a full sort.
        head = np.argpartition(-rounded, wanted - 1)[:wanted]
        threshold = rounded[head].min()
        head = np.flatnonzero(rounded >= threshold)
        return head[np.lexsort((ids[head], dist[head], -rounded[head]))]
    return np.lexsort((ids, dist, -rounded))


def is_stale(last_confirmed_ts: float, *, now: datetime) -> bool:
    """Not updated or confirmed for STALE_AFTER_DAYS (or never)."""
    if np.isnan(last_confirmed_ts):
        return True
    return (now.timestamp() - last_confirmed_ts) / 86400.0 >= STALE_AFTER_DAYS


def _timestamp(value: float) -> datetime | None:
    if np.isnan(value):
        return None
    return datetime.fromtimestamp(float(value), tz=UTC)


def rank_matches(
    index: ReadIndex, query: SearchQuery, place: Place | None, matches: Matches, *, now: datetime
) -> list[RankedPartner]:
    parts = score_matches(index, query, matches, now_ts=now.timestamp())
    order = _order(index, query, matches, parts["total"])
    start = (query.page - 1) * query.page_size
    page_positions = order[start : start + query.page_size]
    page_rows = matches.rows[page_positions]
    names = index.names.take(page_rows).to_pylist()
    cities = index.hq_city.take(page_rows).to_pylist()
    breadth = breadth_of(index, page_rows)
    checkable = get_taxonomy().evidenceable_keys
    attributes = get_attributes()
    results = []
    for i, (pos, row) in enumerate(zip(page_positions, page_rows, strict=True)):
        needs = {}
        flagged = []
        for key in query.needs:
            col = index.column(key)
            claimed, evidenced = int(index.claimed[row, col]), int(index.evidenced[row, col])
            technology = bool(index.technology_columns[col])
            effective = (
                evidenced if (query.evidence_only and technology) else max(claimed, evidenced)
            )
            needs[key] = NeedCoverage(key, claimed, evidenced, effective >= query.min_level)
            check = ClaimCheck(key, claimed, evidenced, key in checkable)
            if check.flagged:
                flagged.append(key)
        distance = None if matches.distance_km is None else float(matches.distance_km[pos])
        reach = None
        if matches.via_service_area is not None:
            reach = "service_area" if matches.via_service_area[pos] else "nearby"
        result = RankedPartner(
            partner_id=int(index.partner_ids[row]),
            name=names[i],
            hq_city=cities[i],
            rank=start + i + 1,
            score=round(float(parts["total"][pos]), 1),
            score_parts={k: round(float(v[pos]), 1) for k, v in parts.items() if k != "total"},
            distance_km=None if distance is None else round(distance, 2),
            reach=reach,
            needs=needs,
            breadth=int(breadth[i]),
            flagged_claims=flagged,
            updated_at=_timestamp(index.updated_ts[row]),
            verified_at=_timestamp(index.verified_ts[row]),
            confirmed_at=_timestamp(index.confirmed_ts[row]),
            industries=keys_of(int(index.industries[row]), attributes.industries),
            languages=keys_of(int(index.languages[row]), attributes.languages),
            delivery=DELIVERY_OF_BITS.get(int(index.delivery[row])),
            accepting_new_clients=bool(index.accepting[row]),
            stale=is_stale(float(index.freshness_ts[row]), now=now),
            response_leads=int(index.response_leads[row]),
            response_within=int(index.response_within[row]),
            review_avg=None if np.isnan(index.review_avg[row]) else float(index.review_avg[row]),
            review_count=int(index.review_count[row]),
        )
        result.explanation = explain(result, query, place, now=now)
        results.append(result)
    return results


def search_index(
    index: ReadIndex, query: SearchQuery, *, now: datetime | None = None
) -> SearchResults:
    started = time.perf_counter()
    now = now or datetime.now(UTC)
    place = resolve_query_place(query)
    matches = match_partners(index, query, place)
    results = rank_matches(index, query, place, matches, now=now)
    return SearchResults(
        query=query,
        place=place,
        total=int(matches.rows.size),
        results=results,
        elapsed_ms=(time.perf_counter() - started) * 1000,
    )


def search_directory(
    *, engine: Engine, query: SearchQuery, holder: ReadIndexHolder | None = None
) -> SearchResults:
    """The CLI's and scripts' entry point: builds (or reuses) the index, then searches."""
    holder = holder or ReadIndexHolder(engine=engine)
    return search_index(holder.get(), query)
