"""Regional map: the Find partners search on a map, with state layers and sales regions.

The search lives in the URL (the same parameters as Find partners), plus the map's own
``layer``, ``domain`` and ``days``. The map sits in a fragment: panning and zooming rerun only
the fragment, and it rebuilds the partner layer only when the view needs another level of detail
(core.map_layers); changing data goes through ``feature_group_to_add`` so the map never remounts
for it.
"""

from __future__ import annotations

import json
from datetime import timedelta

import numpy as np
import streamlit as st
from streamlit_folium import st_folium

from core.coverage import (
    UNMET_BELOW,
    evidenced_per_state,
    partners_per_state,
    state_values,
    unmet_demand_per_state,
)
from core.formatting import escape_markdown
from core.geo import STATE_NAMES
from core.map_layers import (
    MARKER_LIMIT,
    ViewState,
    grid_bubbles,
    hq_positions,
    needs_new_data,
    nearest_partner_row,
    state_bubbles,
)
from core.map_regions import Choropleth, circle_box, state_bounds
from core.maps import (
    build_partner_layer,
    build_regional_base_map,
    build_selection_layer,
    marker_rows,
    partner_popup_html,
)
from core.models import utc_now
from core.query_params import query_to_params
from core.read_index import STATE_CODES
from core.result_text import coverage_mark, coverage_text, describe_search, distance_text
from core.search import MAX_RADIUS_KM, QueryError, match_partners, parse_query, resolve_query_place
from core.search_form import lenient_query_from_params
from core.taxonomy import PROFICIENT, get_taxonomy
from pages import get_engine, get_index_holder, setup_page

setup_page("Regional map", "🗺️")
taxonomy = get_taxonomy()
K = "map_"
MAP_KEY = f"{K}component"
LAYERS = {
    "matching": "Partners matching the search",
    "evidenced": "Certified partners in a domain",
    "demand": "Unmet demand",
}
WINDOWS = {30: "last 30 days", 90: "last 90 days", 365: "last 12 months"}
LEVELS = {1: "Foundational", 2: "Proficient", 3: "Expert"}
REGIONS = {r.key: f"{r.label} ({r.kind})" for r in taxonomy.regions}


def url_choice(name: str, options: list, default):  # type: ignore[no-untyped-def]
    """A map setting from the URL (an unknown value falls back to the default)."""
    raw = st.query_params.get(name)
    for option in options:
        if str(option) == raw:
            return option
    return default


def write_url(query, **settings) -> None:  # type: ignore[no-untyped-def]
    params = query_to_params(query.model_copy(update={"page": 1}))
    params.update({k: str(v) for k, v in settings.items() if v is not None})
    st.query_params.from_dict(params)


# ---- the search (same URL as Find partners) --------------------------------------------------

query, problems = lenient_query_from_params(st.query_params.to_dict())
for problem in problems:
    st.error(f"This link has a value that cannot be used, so it was left out: {problem}")
layer = url_choice("layer", list(LAYERS), "matching")
domain = url_choice("domain", list(taxonomy.area_keys), "security")
days = url_choice("days", list(WINDOWS), 90)

with st.expander("Search filters", expanded=not (query.needs or query.near or query.region)):
    with st.form(f"{K}filters", border=False):
        needs_col, near_col, radius_col = st.columns([3, 2, 1])
        needs = needs_col.multiselect(
            "Needs",
            list(taxonomy.area_keys),
            default=query.needs,
            format_func=taxonomy.area_label,
            placeholder="Any need",
        )
        near = near_col.text_input(
            "Near (ZIP or City, ST)", value=query.near or "", max_chars=80, placeholder="78701"
        )
        radius = radius_col.number_input(
            "Radius km", 1, int(MAX_RADIUS_KM), int(round(query.radius_km)), step=10
        )
        region_col, level_col, evidence_col = st.columns([3, 2, 1], vertical_alignment="bottom")
        region = region_col.selectbox(
            "Sales region",
            [None, *REGIONS],
            index=[None, *REGIONS].index(query.region),
            format_func=lambda key: "Whole country" if key is None else REGIONS[key],
        )
        level = level_col.selectbox(
            "Level", list(LEVELS), index=list(LEVELS).index(query.min_level), format_func=LEVELS.get
        )
        evidence = evidence_col.checkbox("Certified only", value=query.evidence_only)
        if st.form_submit_button("Update map", type="primary", icon="🗺️"):
            fields = query.model_dump()
            fields.update(
                needs=needs, near=near, radius_km=radius, region=region,
                min_level=level, evidence_only=evidence, page=1,
            )  # fmt: skip
            try:
                write_url(parse_query(fields), layer=layer, domain=domain, days=days)
                st.rerun()
            except QueryError as exc:
                st.error(f"Please check the filters: {exc}")

try:
    place = resolve_query_place(query)
except QueryError as exc:
    st.error(f"Please check the place: {exc}")
    st.stop()

index = get_index_holder().get()
matches = match_partners(index, query, place)
hq_rows, hq_lat, hq_lon = hq_positions(index, matches.rows)

summary = describe_search(query, place)
if query.region:
    summary += f" · in {taxonomy.region(query.region).label}"
st.markdown(f"**{matches.rows.size:,}** partners · {escape_markdown(summary)}")
st.page_link(
    "pages/find_partners.py",
    label="Show these partners as a list",
    icon="🔎",
    query_params=query_to_params(query.model_copy(update={"page": 1})),
)

# ---- state layer -----------------------------------------------------------------------------

choice_col, detail_col = st.columns([3, 2], vertical_alignment="bottom")
new_layer = choice_col.radio(
    "Colour states by", list(LAYERS), index=list(LAYERS).index(layer),
    format_func=LAYERS.get, horizontal=True,
)  # fmt: skip
new_domain, new_days = domain, days
if new_layer == "evidenced":
    new_domain = detail_col.selectbox(
        "Domain", list(taxonomy.area_keys), index=list(taxonomy.area_keys).index(domain),
        format_func=taxonomy.area_label,
    )  # fmt: skip
elif new_layer == "demand":
    new_days = detail_col.selectbox(
        "Searches in the", list(WINDOWS), index=list(WINDOWS).index(days), format_func=WINDOWS.get
    )
if (new_layer, new_domain, new_days) != (layer, domain, days):
    layer, domain, days = new_layer, new_domain, new_days
    write_url(query, layer=layer, domain=domain, days=days)

if layer == "evidenced":
    label = taxonomy.area_label(domain)
    counts = evidenced_per_state(index, domain, min_level=PROFICIENT)
    choropleth = Choropleth(
        state_values(counts), f"Certified proficient+ in {label}", "certified partners", "greens"
    )
    legend = (
        f"State colour: partners in the whole directory whose certifications prove {label} at "
        "proficient level or better, counted in every state where they have a location."
    )
elif layer == "demand":
    counts = unmet_demand_per_state(
        engine=get_engine(), since=utc_now() - timedelta(days=days), below=UNMET_BELOW,
        needs=query.needs,
    )  # fmt: skip
    choropleth = Choropleth(state_values(counts), "Searches with few results", "searches", "reds")
    asked = " for any of these needs" if query.needs else ""
    legend = (
        f"State colour: searches{asked} made from the state in the {WINDOWS[days]} that found "
        f"fewer than {UNMET_BELOW} partners – where customers look and find too little."
    )
else:
    counts = partners_per_state(index, matches.rows)
    choropleth = Choropleth(state_values(counts), "Partners matching the search", "matching")
    legend = (
        "State colour: partners matching the search with a location in the state "
        "(a partner with offices in two states counts in both)."
    )
if not counts.any():
    legend += " No state has any yet, so every state is grey."

region_states = taxonomy.region(query.region).states if query.region else ()
if place is not None:
    fit = circle_box(place.latitude, place.longitude, query.radius_km)
elif region_states or query.states:
    fit = state_bounds([*region_states, *query.states])
else:
    fit = None
base_settings = {
    "choropleth": choropleth,
    "region_states": tuple(region_states),
    "region_label": taxonomy.region(query.region).label if query.region else "",
    "fit": fit,
}
context = json.dumps(query_to_params(query.model_copy(update={"page": 1, "sort": "best"})))
base_key = json.dumps([layer, domain, days, context])
