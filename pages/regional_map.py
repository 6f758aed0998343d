"""Regional map: the Find partners search on a map, with state layers and sales regions.

The search lives in the URL (the same parameters as Find partners), plus the map's own
``layer``, ``domain`` and ``days``, kept in sync with the widgets by pages.parts.url_state. The
map sits in a fragment: panning and zooming rerun only the fragment, and it rebuilds the partner
layer only when the view needs another level of detail (core.maps.detail); changing data goes
through ``feature_group_to_add`` so the map never remounts for it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import folium
import streamlit as st
from streamlit_folium import st_folium

from core.analytics.regional import UNMET_BELOW
from core.formatting import escape_markdown
from core.geo.states import STATE_NAMES
from core.maps.build import (
    build_partner_layer,
    build_regional_base_map,
    build_selection_layer,
    partner_popup_html,
)
from core.maps.data import STATE_LAYERS, SelectedPartner, search_bounds, state_layer
from core.maps.detail import detail_hint, follow_view, partner_layer_data
from core.maps.layers import DetailPlan, ViewState
from core.maps.pins import PinPositions
from core.models import MaxLength, utc_now
from core.search.form import form_values, search_params
from core.search.params import query_to_params
from core.search.query import MAX_RADIUS_KM, QueryError, SearchQuery, parse_query
from core.search.ranking import match_partners, resolve_query_place
from core.search.text import coverage_mark, coverage_text, describe_search
from core.taxonomy import FOUNDATIONAL, get_taxonomy
from pages import get_engine, setup_page
from pages.parts import search_memory
from pages.parts.errors import directory_index
from pages.parts.search_filters import show_url_problems
from pages.parts.url_state import UrlState

setup_page("Regional map", "🗺️")
taxonomy = get_taxonomy()
ss = st.session_state
K = "map_"
MAP_KEY = f"{K}component"
# Only what the map needs back: the view (for the level of detail) and marker clicks.
RETURNED = ["bounds", "zoom", "last_object_clicked", "last_object_clicked_tooltip"]
LAYERS = STATE_LAYERS
WINDOWS = {30: "last 30 days", 90: "last 90 days", 365: "last 12 months"}
LEVELS = taxonomy.level_labels(at_least=FOUNDATIONAL)
REGIONS = {r.key: f"{r.label} ({r.kind})" for r in taxonomy.regions}
SETTINGS = ("layer", "domain", "days")  # the map's own URL parameters
# The filter form's widgets (by their core.search.form names) -> SearchQuery field; needs are
# one multiselect here. Every other field of the search is kept as the URL says.
FORM = {"near": "near", "radius": "radius_km", "region": "region", "level": "min_level",
        "evidence": "evidence_only"}  # fmt: skip


def map_params(params: Mapping[str, Any]) -> dict[str, str]:
    """The map's parameters of a URL: the search's, as Find partners, and its settings."""
    return search_params(params) | {k: str(params[k]) for k in SETTINGS if k in params}


def map_url(query: SearchQuery, **settings: object) -> dict[str, str]:
    params = query_to_params(query.model_copy(update={"page": 1}))
    return params | {name: str(value) for name, value in settings.items()}


URL = UrlState(K, own=map_params)

# ---- the search and the map's settings: what the URL says, shown in the widgets -------------

search_memory.restore()  # a link without a search (the sidebar's) gets the last one
query, problems, ignored = URL.search_from_url()
show_url_problems(problems, ignored)
layer = URL.choice("layer", list(LAYERS), "matching")
domain = URL.choice("domain", list(taxonomy.area_keys), "security")
days = URL.choice("days", list(WINDOWS), 90)
shown = {URL.key(name): value for name, value in form_values(query, prefix="").items()
         if name in FORM}  # fmt: skip
shown |= {URL.key("needs"): list(query.needs), URL.key("layer"): layer,
          URL.key("domain"): domain, URL.key("days"): days}  # fmt: skip
# Unchanged URL: refill only widgets Streamlit dropped (the domain box hides under other layers).
URL.show(shown, only_missing=not URL.changed())

with (
    st.expander("Search filters"),
    st.form(f"{K}filters", border=False),
):
    needs_col, near_col, radius_col = st.columns([3, 2, 1])
    needs_col.multiselect(
        "Needs",
        list(taxonomy.area_keys),
        key=URL.key("needs"),
        format_func=taxonomy.area_label,
        placeholder="Any need",
    )
    near_col.text_input(
        "Near (ZIP or City, ST)",
        key=URL.key("near"),
        max_chars=MaxLength.SEARCH_PLACE,
        placeholder="78701",
    )
    radius_col.number_input(
        "Radius km", min_value=1, max_value=int(MAX_RADIUS_KM), step=10, key=URL.key("radius")
    )
    region_col, level_col, evidence_col = st.columns([3, 2, 1], vertical_alignment="bottom")
    region_col.selectbox(
        "Sales region",
        ["", *REGIONS],
        key=URL.key("region"),
        format_func=lambda key: REGIONS.get(key, "Whole country"),
    )
    level_col.selectbox("Level", list(LEVELS), key=URL.key("level"), format_func=LEVELS.get)
    evidence_col.checkbox("Certified only", key=URL.key("evidence"))
    if st.form_submit_button("Update map", type="primary", icon="🗺️"):
        fields = query.model_dump() | {field: ss[URL.key(name)] for name, field in FORM.items()}
        try:
            submitted = parse_query(fields | {"needs": ss[URL.key("needs")], "page": 1})
        except QueryError as exc:
            st.error(f"Please check the filters: {escape_markdown(str(exc))}")
        else:
            URL.write(map_url(submitted, layer=layer, domain=domain, days=days))
            st.rerun()

try:
    place = resolve_query_place(query)
except QueryError as exc:
    st.error(f"Please check the place: {escape_markdown(str(exc))}")
    st.stop()

index = directory_index()
matches = match_partners(index, query, place)
# Pins at the offices that matched the place (a branch near it, not a far headquarters).
positions = PinPositions.of(index, matches, place, query.radius_km)

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

choice_col, detail_col = st.columns([5, 2], vertical_alignment="bottom")
layer = choice_col.radio(
    "Colour states by", list(LAYERS), key=URL.key("layer"), format_func=LAYERS.get,
    horizontal=True,
)  # fmt: skip
if layer == "evidenced":
    domain = detail_col.selectbox(
        "Domain", list(taxonomy.area_keys), key=URL.key("domain"), format_func=taxonomy.area_label
    )
elif layer == "demand":
    days = detail_col.selectbox(
        "Searches in the", list(WINDOWS), key=URL.key("days"), format_func=WINDOWS.get
    )
URL.write(map_url(query, layer=layer, domain=domain, days=days))
search_memory.remember(map_url(query))

states = state_layer(
    layer, index=index, matches=matches, query=query, domain=domain, engine=get_engine(),
    since=utc_now() - timedelta(days=days), window_label=WINDOWS[days], below=UNMET_BELOW,
)  # fmt: skip
region_states = taxonomy.region(query.region).states if query.region else ()
base_settings = {
    "choropleth": states.choropleth,
    "region_states": tuple(region_states),
    "region_label": taxonomy.region(query.region).label if query.region else "",
    "fit": search_bounds(query, place),
    "search_area": (place.latitude, place.longitude, query.radius_km) if place else None,
}
context = json.dumps(query_to_params(query.model_copy(update={"page": 1, "sort": "best"})))
base_key = json.dumps([layer, domain, days, context])


# ---- the map (a fragment: panning reruns only this part) -------------------------------------


def partner_layer(plan: DetailPlan) -> folium.FeatureGroup:
    """The partner feature group for a plan; its data is cached per search and plan."""
    cache_key = (context, plan)
    cached = ss.get(f"{K}layer_cache")
    if cached is None or cached[0] != cache_key:
        data = partner_layer_data(
            plan, index=index, query=query, matches=matches, positions=positions
        )
        cached = ss[f"{K}layer_cache"] = (cache_key, data)
    labels = [taxonomy.area_label(key) for key in query.needs]
    data = cached[1]
    return build_partner_layer(plan, markers=data.markers, bubbles=data.bubbles, need_labels=labels)


def selection_layer(
    details: SelectedPartner, clicked: tuple[float, float] | None
) -> folium.FeatureGroup:
    popup = partner_popup_html(
        partner_id=details.partner_id,
        name=details.name,
        city=details.city,
        distance=details.distance,
        coverage_lines=[coverage_text(*need) for need in details.needs],
    )
    return build_selection_layer(
        locations=details.locations,
        service_radius_km=details.service_radius_km,
        states_served=details.states_served,
        popup_html=popup,
        popup_near=clicked,  # the pin clicked: the office near the searched place
    )


def render_panel(details: SelectedPartner | None, plan: DetailPlan) -> None:
    if details is None:
        st.info(detail_hint(plan), icon="👆" if plan.level == "markers" else "🔍")
        return
    with st.container(border=True):
        st.markdown(f"**{escape_markdown(details.name)}**")
        line = [details.city, details.distance]
        st.caption(" · ".join(escape_markdown(part) for part in line if part))
        for key, claimed, evidenced in details.needs:
            mark = coverage_mark(claimed, evidenced, query.min_level)
            st.markdown(f"{mark} {escape_markdown(coverage_text(key, claimed, evidenced))}")
        area = []
        if details.service_radius_km:
            area.append(f"travels up to {details.service_radius_km:,.0f} km from its locations")
        if details.states_served:
            area.append("serves " + ", ".join(STATE_NAMES[c] for c in details.states_served))
        st.caption("Service area: " + ("; ".join(area) if area else "its own locations only"))
        st.page_link(
            "pages/partner_profile.py",
            label="Open profile",
            icon="🏢",
            query_params={"id": str(details.partner_id)},
        )
        if st.button("Clear selection", key=f"{K}clear"):
            ss[f"{K}view"].selected_id = None
            st.rerun(scope="fragment")


@st.fragment
def show_map() -> None:
    state: ViewState = ss.setdefault(f"{K}view", ViewState())
    detail = follow_view(
        state, ss.get(MAP_KEY), context=context, base=base_key,
        index=index, query=query, matches=matches, positions=positions,
    )  # fmt: skip
    layers = [partner_layer(detail.plan)]
    if detail.selected is not None:
        layers.append(selection_layer(detail.selected, state.last_click))
    map_col, panel_col = st.columns([3, 1])
    with map_col:
        st_folium(
            build_regional_base_map(**base_settings),
            key=MAP_KEY,
            height=560,
            use_container_width=True,
            returned_objects=RETURNED,
            feature_group_to_add=layers,
            center=state.anchor[0] if state.anchor else None,
            zoom=state.anchor[1] if state.anchor else None,
        )
    with panel_col:
        render_panel(detail.selected, detail.plan)


show_map()
st.caption(
    f"{states.explanation} Pins are single partners, at the offices within the search radius "
    "(dashed circle around the searched place; at the headquarters without a place) – click "
    "one for its service area (blue circle: travel radius, purple: whole states served). Dark "
    "numbered discs count them where there are too many to pin (by state when zoomed out, by "
    "area when zoomed in). The heavy black line outlines the chosen sales region."
)
