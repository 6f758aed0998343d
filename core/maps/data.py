"""The partner data the regional map shows: marker rows, the selected partner, state layers.

Plain data out of the read index (and the search log for demand), escaped where it will become
map HTML; the folium objects are built from it in ``core.maps``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Engine

from core.analytics.coverage import (
    evidenced_per_state,
    partners_per_state,
    state_values,
    unmet_demand_per_state,
)
from core.analytics.regional import UNMET_BELOW
from core.geo.places import Place
from core.maps.escaping import escape_for_map
from core.maps.layers import (
    COVERAGE_CERTIFIED,
    COVERAGE_CLAIMED,
    COVERAGE_SHORT,
    DetailPlan,
    in_window,
)
from core.maps.pins import PinPositions
from core.maps.regions import Choropleth, circle_box, state_bounds
from core.search.index import STATE_CODES, ReadIndex
from core.search.query import SearchQuery
from core.search.ranking import Matches, effective_levels
from core.search.text import distance_text
from core.taxonomy import PROFICIENT, get_taxonomy


def marker_rows(
    index: ReadIndex,
    query: SearchQuery,
    matches: Matches,
    plan: DetailPlan,
    pins: PinPositions | None = None,
) -> list[list[Any]]:
    """Rows for the marker callback: [lat, lon, partner id, name, city, distance, coverage].

    One row per pin (``pins``, headquarters when not given): a partner is shown at the office
    that matched, with that office's city and distance. Text is escaped here with
    ``escape_for_map`` (the callback pastes it into popup and tooltip HTML); numbers stay
    numbers. Only pins inside the plan's window are sent.
    """
    pins = pins if pins is not None else PinPositions.of(index, matches)
    keep = np.ones(pins.rows.size, dtype=bool)
    if plan.window is not None:
        keep &= in_window(pins.lat, pins.lon, plan.window)
    kept = np.flatnonzero(keep)
    picked = pins.rows[kept]
    if query.needs:
        columns = [index.column(key) for key in query.needs]
        effective = effective_levels(index, columns, evidence_only=query.evidence_only)[picked]
        evidenced = index.evidenced[np.ix_(picked, np.asarray(columns, dtype=np.intp))]
        codes = np.where(
            evidenced >= query.min_level,
            COVERAGE_CERTIFIED,
            np.where(effective >= query.min_level, COVERAGE_CLAIMED, COVERAGE_SHORT),
        )
        coverage = ["".join(code_row) for code_row in codes]
    else:
        coverage = [""] * picked.size
    names = index.names.take(picked).to_pylist()
    if index.loc_city is not None:
        cities = index.loc_city.take(pins.loc[kept]).to_pylist()
    else:
        cities = index.hq_city.take(picked).to_pylist()
    out: list[list[Any]] = []
    for i, (pin, row) in enumerate(zip(kept, picked, strict=True)):
        distance = ""
        if pins.distance_km is not None:
            position = pins.match[pin]
            reach = None
            if matches.via_service_area is not None and matches.via_service_area[position]:
                reach = "service_area"
            distance = distance_text(float(pins.distance_km[pin]), reach)
        out.append(
            [
                round(float(pins.lat[pin]), 5),
                round(float(pins.lon[pin]), 5),
                int(index.partner_ids[row]),
                escape_for_map(names[i]),
                escape_for_map(cities[i] or ""),
                escape_for_map(distance),
                coverage[i],
            ]
        )
    return out


# --------------------------------------------------------------------------- selection


@dataclass(frozen=True)
class SelectedPartner:
    """A matching partner picked on the map: what the side panel and its layer show."""

    partner_id: int
    name: str  # raw: escape for wherever it goes
    city: str
    distance: str  # "12.3 km away", "" without a place
    needs: list[tuple[str, int, int]]  # (need, claimed, evidenced) for the query's needs
    locations: list[tuple[float, float, str]]  # (lat, lon, label)
    service_radius_km: float | None
    states_served: list[str]


def selected_partner(
    index: ReadIndex, query: SearchQuery, matches: Matches, partner_id: int
) -> SelectedPartner | None:
    """The partner's details, or None when it does not match the search (any more)."""
    rows = index.rows_of([partner_id])
    if rows.size == 0:
        return None
    row = int(rows[0])
    positions = np.flatnonzero(matches.rows == row)
    if positions.size == 0:
        return None
    position = int(positions[0])
    start, stop = np.searchsorted(index.loc_row, [row, row + 1])
    name = str(index.names[row].as_py())
    distance = ""
    if matches.distance_km is not None:
        via = matches.via_service_area is not None and bool(matches.via_service_area[position])
        distance = distance_text(
            float(matches.distance_km[position]), "service_area" if via else None
        )
    radius = float(index.service_radius_km[row])
    served = int(index.states_served[row])
    return SelectedPartner(
        partner_id=int(partner_id),
        name=name,
        city=str(index.hq_city[row].as_py() or ""),
        distance=distance,
        needs=[
            (key, int(index.claimed[row, col]), int(index.evidenced[row, col]))
            for key, col in ((key, index.column(key)) for key in query.needs)
        ],
        locations=[
            (float(index.loc_latitude[i]), float(index.loc_longitude[i]), name)
            for i in range(int(start), int(stop))
        ],
        service_radius_km=radius if radius > 0 else None,
        states_served=[code for i, code in enumerate(STATE_CODES) if served >> i & 1],
    )


# --------------------------------------------------------------------------- state layers

STATE_LAYERS = {
    "matching": "Partners matching the search",
    "evidenced": "Certified partners in a domain",
    "demand": "Unmet demand",
}


@dataclass(frozen=True)
class StateLayer:
    choropleth: Choropleth
    explanation: str  # a sentence saying what the colours mean
    total: int


def state_layer(
    layer: str,
    *,
    index: ReadIndex,
    matches: Matches,
    query: SearchQuery,
    domain: str = "security",
    engine: Engine | None = None,
    since: datetime | None = None,
    window_label: str = "",
    below: int = UNMET_BELOW,
) -> StateLayer:
    """Values and words for one choropleth: "matching", "evidenced" (in ``domain``) or
    "demand" (searches since ``since`` that found fewer than ``below`` partners)."""
    if layer == "evidenced":
        label = get_taxonomy().area_label(domain)
        counts = evidenced_per_state(index, domain, min_level=PROFICIENT)
        choropleth = Choropleth(
            state_values(counts),
            f"Certified proficient+ in {label}",
            "certified partners",
            "greens",
        )
        text = (
            f"State colour: partners in the whole directory whose certifications prove {label} "
            "at proficient level or better, counted in every state where they have a location."
        )
    elif layer == "demand":
        if engine is None or since is None:
            raise ValueError("the demand layer needs an engine and a start time")
        counts = unmet_demand_per_state(engine=engine, since=since, below=below, needs=query.needs)
        choropleth = Choropleth(
            state_values(counts), "Searches with few results", "searches", "reds"
        )
        asked = " for any of these needs" if query.needs else ""
        text = (
            f"State colour: searches{asked} made from the state in the {window_label} that found "
            f"fewer than {below} partners – where customers look and find too little."
        )
    elif layer == "matching":
        counts = partners_per_state(index, matches.rows)
        choropleth = Choropleth(
            state_values(counts), "Partners matching the search", "matching partners"
        )
        text = (
            "State colour: partners matching the search with a location in the state "
            "(a partner with offices in two states counts in both)."
        )
    else:
        raise ValueError(f"unknown state layer {layer!r}")
    if not counts.any():
        text += " No state has any yet, so every state is grey."
    return StateLayer(choropleth, text, int(counts.sum()))


def search_bounds(query: SearchQuery, place: Place | None) -> list[list[float]] | None:
    """Where the map opens: the search radius, else the region's and chosen states, else None
    (the continental US)."""
    if place is not None:
        return [list(p) for p in circle_box(place.latitude, place.longitude, query.radius_km)]
    states = list(query.states)
    if query.region:
        states += get_taxonomy().region(query.region).states
    return state_bounds(states) if states else None
