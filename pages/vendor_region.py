"""Vendor regional team: coverage and unmet demand in my region.

Members' results (the former partner benchmark) are on "My program" (pages/my_program.py),
which shows only the vendor's own members.
"""

from __future__ import annotations

from datetime import timedelta

import altair as alt
import streamlit as st
from sqlmodel import Session

from core.analytics.regional import (
    coverage_by_area,
    partner_rows_in_states,
    region_for,
    regions_visible_to,
    unmet_demand,
)
from core.models import ROLE_ADMIN, ROLE_VENDOR, utc_now
from core.taxonomy import get_taxonomy
from pages import get_engine, get_index_holder, setup_page

account = setup_page("My region", "📊", roles=(ROLE_VENDOR, ROLE_ADMIN))
LABELS = alt.Axis(labelLimit=220)  # the default cuts "Office & productivity" short
assert account is not None  # setup_page stops the run for anonymous visitors

regions = regions_visible_to(account)
if not regions:
    st.info("Your account does not cover any sales region yet. Ask an administrator to add one.")
    st.stop()

labels = {r.key: f"{r.label} ({r.kind})" for r in regions}
region_key = st.selectbox(
    "Region", options=list(labels), format_func=labels.__getitem__, key="region_choice"
)
region = region_for(account, region_key)  # core re-checks the account may see it
states = region.states
index = get_index_holder().get()
now = utc_now()

partner_count = int(partner_rows_in_states(index, states).size)
st.caption(
    f"{partner_count:,} partners with a location in {', '.join(states)}. "
    "Your members' results, funds and figures are on My program."
)

coverage_tab, demand_tab = st.tabs(["Coverage and gaps", "Unmet demand"])

with coverage_tab:
    coverage = coverage_by_area(index, states)
    long = coverage.melt(
        id_vars=["area", "group"],
        value_vars=["claimed_proficient", "evidenced_proficient"],
        var_name="basis",
        value_name="partners",
    ).replace(
        {"claimed_proficient": "claim proficient+", "evidenced_proficient": "certified proficient+"}
    )
    chart = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("area:N", sort=list(coverage["area"]), title=None, axis=LABELS),
            x=alt.X("partners:Q", title="partners in region"),
            color=alt.Color("basis:N", title=None, legend=alt.Legend(orient="bottom")),
            yOffset="basis:N",
            tooltip=["area", "basis", "partners"],
        )
        .properties(height=520)
    )
    st.altair_chart(chart, width="stretch")
    # Areas no certification can evidence (insurance today) would always look "thin".
    checkable = coverage[coverage["area_key"].isin(get_taxonomy().evidenceable_keys)]
    thin = checkable[checkable["evidenced_proficient"] < max(3, partner_count // 100)]
    if len(thin):
        st.warning(
            "Thin evidenced coverage: "
            + ", ".join(
                f"{a} ({n})"
                for a, n in zip(thin["area"], thin["evidenced_proficient"], strict=True)
            )
        )
    else:
        st.success("Every area that certifications can prove has certified partners here.")
    unprovable = coverage.loc[~coverage["area_key"].isin(checkable["area_key"]), "area"]
    if len(unprovable):
        st.caption(
            f"No certification in the catalogue evidences {', '.join(unprovable)}: "
            "only self-assessed levels exist there."
        )

with demand_tab:
    days = st.select_slider(
        "Searches from the last",
        options=[30, 90, 180, 365],
        value=90,
        format_func=lambda d: f"{d} days",
    )
    with Session(get_engine()) as session:
        demand = unmet_demand(session=session, states=states, since=now - timedelta(days=days))
    if demand.empty:
        st.info(
            "No recorded search in this region came back with fewer than 3 partners in that period."
        )
    else:
        st.write(
            "Needs in searches that found fewer than 3 partners — "
            "where recruiting or enabling partners pays off:"
        )
        st.altair_chart(
            alt.Chart(demand.head(17))
            .mark_bar(color="#d1495b")
            .encode(
                y=alt.Y("area:N", sort="-x", title=None, axis=LABELS),
                x=alt.X("searches:Q", title="searches with too few results"),
                tooltip=["area", "searches"],
            ),
            width="stretch",
        )
