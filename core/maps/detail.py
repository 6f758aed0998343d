"""The regional map's level of detail on one run: what the browser's view needs shown.

The page hands over what ``st_folium`` reported (the view and any click) with the matching
partners; this decides, with the rules of ``core.maps.layers``, whether the partner layer
shows single markers, grid cells or state totals, which partner a click selects, and the data
that layer draws. Pure: no folium or Streamlit here, so it is unit-tested directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.maps.data import SelectedPartner, marker_rows, selected_partner
from core.maps.layers import (
    MARKER_LIMIT,
    Bubble,
    DetailPlan,
    ViewState,
    grid_bubbles,
    nearest_partner_row,
    needs_new_data,
    state_bubbles,
)
from core.maps.pins import PinPositions
from core.search.index import ReadIndex
from core.search.query import SearchQuery
from core.search.ranking import Matches


@dataclass(frozen=True)
class MapDetail:
    """What the map shows on this run: the level of detail and the selected partner."""

    plan: DetailPlan
    selected: SelectedPartner | None


@dataclass(frozen=True)
class PartnerLayerData:
    """The data of the partner layer at a plan: single markers, or counts as bubbles."""

    plan: DetailPlan
    markers: list[list[Any]] | None = None  # rows of core.maps.data.marker_rows
    bubbles: list[Bubble] | None = None


def follow_view(
    state: ViewState,
    component_value: Mapping[str, Any] | None,
    *,
    context: str,
    base: str,
    index: ReadIndex,
    query: SearchQuery,
    matches: Matches,
    positions: PinPositions,
) -> MapDetail:
    """Take in the map's latest report and decide the level of detail and the selection.

    The plan is kept while it still covers the view at the right level (``needs_new_data``),
    so panning inside its window rebuilds nothing. A click selects a partner only when single
    markers are shown (a click on a count selects nobody); a selected partner that no longer
    matches the search is let go.
    """
    view = state.sync(context=context, base=base, component_value=component_value)
    _, plan = needs_new_data(state.plan, view, positions.lat, positions.lon)
    state.plan = plan
    click = state.take_click(component_value)
    if click is not None and plan.level == "markers":
        tooltip = (component_value or {}).get("last_object_clicked_tooltip")
        row = nearest_partner_row(
            index,
            matches.rows,
            *click,
            name=tooltip,
            pins=(positions.rows, positions.lat, positions.lon),
        )
        if row is not None:
            state.selected_id = int(index.partner_ids[row])
    selected = None
    if state.selected_id is not None:
        selected = selected_partner(index, query, matches, state.selected_id)
        if selected is None:
            state.selected_id = None
    return MapDetail(plan, selected)


def partner_layer_data(
    plan: DetailPlan,
    *,
    index: ReadIndex,
    query: SearchQuery,
    matches: Matches,
    positions: PinPositions,
) -> PartnerLayerData:
    """The partner layer's data at ``plan``: the expensive part, worth caching per plan."""
    if plan.level == "markers":
        return PartnerLayerData(plan, markers=marker_rows(index, query, matches, plan, positions))
    if plan.level == "states":
        return PartnerLayerData(plan, bubbles=state_bubbles(index, np.unique(positions.rows)))
    return PartnerLayerData(plan, bubbles=grid_bubbles(positions.lat, positions.lon, plan))


def detail_hint(plan: DetailPlan) -> str:
    """What to do next, shown beside the map while no partner is selected."""
    if plan.level == "markers":
        return "Click a partner on the map to see its details and service area."
    return (
        "The numbers count partners by headquarters, or by the office that matched a searched "
        f"place. Zoom in, or click a number, to see single partners (up to {MARKER_LIMIT:,} "
        "at a time)."
    )
