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

import streamlit as st
from streamlit_folium import st_folium

from core.analytics.coverage import UNMET_BELOW
from core.formatting import escape_markdown
from core.geo.states import STATE_NAMES
from core.maps.build import (
    build_partner_layer,
    build_regional_base_map,
    build_selection_layer,
    partner_popup_html,
)
from core.maps.data import (
    STATE_LAYERS,
    SelectedPartner,
    marker_rows,
    search_bounds,
    selected_partner,
    state_layer,
)
from core.maps.layers import (
    MARKER_LIMIT,
    DetailPlan,
    ViewState,
    grid_bubbles,
    hq_positions,
    nearest_partner_row,
    needs_new_data,
    state_bubbles,
)
from core.models import MaxLength, utc_now
from core.search.form import lenient_query_from_params
from core.search.params import query_to_params
from core.search.query import MAX_RADIUS_KM, QueryError, parse_query
from core.search.ranking import match_partners, resolve_query_place
from core.search.text import coverage_mark, coverage_text, describe_search
from core.taxonomy import FOUNDATIONAL, get_taxonomy
from pages import get_engine, get_index_holder, setup_page

setup_page("Regional map", "🗺️")
taxonomy = get_taxonomy()
K = "map_"
MAP_KEY = f"{K}component"
# Only what the map needs back: the view (for the level of detail) and marker clicks.
RETURNED = ["bounds", "zoom", "last_object_clicked", "last_object_clicked_tooltip"]
LAYERS = STATE_LAYERS
WINDOWS = {30: "last 30 days", 90: "last 90 days", 365: "last 12 months"}
LEVELS = taxonomy.level_labels(at_least=FOUNDATIONAL)
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
    st.error(
        "This link has a value that cannot be used, so it was left out: " + escape_markdown(problem)
    )
layer = url_choice("layer", list(LAYERS), "matching")
domain = url_choice("domain", list(taxonomy.area_keys), "security")
days = url_choice("days", list(WINDOWS), 90)

with (
    st.expander("Search filters"),
    st.form(f"{K}filters", border=False),
):
    needs_col, near_col, radius_col = st.columns([3, 2, 1])
    needs = needs_col.multiselect(
        "Needs",
        list(taxonomy.area_keys),
        default=query.needs,
        format_func=taxonomy.area_label,
        placeholder="Any need",
    )
    near = near_col.text_input(
        "Near (ZIP or City, ST)",
        value=query.near or "",
        max_chars=MaxLength.SEARCH_PLACE,
        placeholder="78701",
    )
    radius = radius_col.number_input(
        "Radius km", 1, int(MAX_RADIUS_KM), round(query.radius_km), step=10
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
            st.error(f"Please check the filters: {escape_markdown(str(exc))}")

try:
    place = resolve_query_place(query)
except QueryError as exc:
    st.error(f"Please check the place: {escape_markdown(str(exc))}")
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


def url_widget_key(name: str, value: object) -> str:
    """Session key of a widget that mirrors a URL setting: re-read when the URL changed."""
    key = f"{K}{name}"
    # Streamlit drops a widget's state on runs that do not draw it (the domain box is hidden
    # under other layers), so a missing key is refilled from the URL as well.
    if st.session_state.get(f"{key}_url") != value or key not in st.session_state:
        st.session_state[key] = value
        st.session_state[f"{key}_url"] = value
    return key


choice_col, detail_col = st.columns([5, 2], vertical_alignment="bottom")
layer = choice_col.radio(
    "Colour states by", list(LAYERS), key=url_widget_key("layer", layer),
    format_func=LAYERS.get, horizontal=True,
)  # fmt: skip
if layer == "evidenced":
    domain = detail_col.selectbox(
        "Domain", list(taxonomy.area_keys), key=url_widget_key("domain", domain),
        format_func=taxonomy.area_label,
    )  # fmt: skip
elif layer == "demand":
    days = detail_col.selectbox(
        "Searches in the", list(WINDOWS), key=url_widget_key("days", days), format_func=WINDOWS.get
    )
settings = {"layer": layer, "domain": domain, "days": days}
if any(st.session_state.get(f"{K}{name}_url") != value for name, value in settings.items()):
    for name, value in settings.items():
        st.session_state[f"{K}{name}_url"] = value
    write_url(query, **settings)

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
}
context = json.dumps(query_to_params(query.model_copy(update={"page": 1, "sort": "best"})))
base_key = json.dumps([layer, domain, days, context])


# ---- the map (a fragment: panning reruns only this part) -------------------------------------


def partner_layer_for(plan: DetailPlan):  # type: ignore[no-untyped-def]
    """The partner feature group for a plan; the expensive part is cached per search and plan."""
    cache_key = (context, plan)
    cached = st.session_state.get(f"{K}layer_cache")
    if cached is None or cached[0] != cache_key:
        if plan.level == "markers":
            data = marker_rows(index, query, matches, plan)
        elif plan.level == "states":
            data = state_bubbles(index, hq_rows)
        else:
            data = grid_bubbles(hq_lat, hq_lon, plan)
        cached = (cache_key, data)
        st.session_state[f"{K}layer_cache"] = cached
    labels = [taxonomy.area_label(key) for key in query.needs]
    if plan.level == "markers":
        return build_partner_layer(plan, markers=cached[1], need_labels=labels)
    return build_partner_layer(plan, bubbles=cached[1])


def render_panel(details: SelectedPartner | None, plan: DetailPlan) -> None:
    if details is None:
        if plan.level == "markers":
            st.info("Click a partner on the map to see its details and service area.", icon="👆")
        else:
            st.info(
                "The numbers count partners by headquarters. Zoom in, or click a number, to see "
                f"single partners (up to {MARKER_LIMIT:,} at a time).",
                icon="🔍",
            )
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
            st.session_state[f"{K}view"].selected_id = None
            st.rerun(scope="fragment")


@st.fragment
def show_map() -> None:
    state: ViewState = st.session_state.setdefault(f"{K}view", ViewState())
    value = st.session_state.get(MAP_KEY)
    view = state.sync(context=context, base=base_key, component_value=value)
    _, plan = needs_new_data(state.plan, view, hq_lat, hq_lon)
    state.plan = plan

    click = state.take_click(value)
    if click is not None and plan.level == "markers":
        tooltip = (value or {}).get("last_object_clicked_tooltip")
        row = nearest_partner_row(index, matches.rows, *click, name=tooltip)
        if row is not None:
            state.selected_id = int(index.partner_ids[row])

    details = None
    if state.selected_id is not None:
        details = selected_partner(index, query, matches, state.selected_id)
        if details is None:
            state.selected_id = None  # no longer matches the search

    layers = [partner_layer_for(plan)]
    if details is not None:
        popup = partner_popup_html(
            partner_id=details.partner_id,
            name=details.name,
            city=details.city,
            distance=details.distance,
            coverage_lines=[coverage_text(*need) for need in details.needs],
        )
        layers.append(
            build_selection_layer(
                locations=details.locations,
                service_radius_km=details.service_radius_km,
                states_served=details.states_served,
                popup_html=popup,
            )
        )

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
        render_panel(details, plan)


show_map()
st.caption(
    f"{states.explanation} Dark numbered discs count matching partners by headquarters (by "
    "state when zoomed out, by area when zoomed in); pins are single partners – click one for "
    "its service area (blue circle: travel radius, purple: whole states served). The heavy "
    "black line outlines the chosen sales region."
)
