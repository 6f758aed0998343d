"""My program › Results: campaigns, members, company sizes, own-certification coverage and
recruit candidates. Every figure comes from core.analytics (aggregated in SQL, only the
vendor's own program data; certifications are public)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st
from sqlmodel import Session

from core.analytics.program_coverage import own_certification_coverage, recruit_candidates
from core.analytics.program_results import campaign_results, size_bracket_results
from core.analytics.regional import region_for, regions_visible_to
from core.exports import audited_export
from core.models import AccountPublic
from core.search.index import ReadIndex
from core.taxonomy import get_taxonomy
from pages import get_engine, get_index_holder
from pages.parts.program_common import csv_bytes, dollars, key
from pages.parts.program_scorecard import render_scorecard

# Long enough for most names at 1400 px, short enough to leave the bars room at 390 px
# (the tooltip has the whole name).
LABELS = alt.Axis(labelLimit=170, labelOverlap=False)


def times(value: float | None) -> str:
    return "—" if value is None or pd.isna(value) else f"{value:.1f}×"


def render_results(account: AccountPublic, vendor: str) -> None:
    _campaigns(account, vendor)
    render_scorecard(account, vendor)
    _sizes(account, vendor)
    _coverage(account, vendor)


def _campaigns(account: AccountPublic, vendor: str) -> None:
    st.subheader("Campaigns")
    engine = get_engine()
    with Session(engine) as session:
        results = campaign_results(session=session, viewer=account, vendor=vendor)
    if results.empty:
        st.info("No campaign yet: create one under “Campaigns & funds”.")
        return
    st.caption(
        "ROI = won value ÷ funds paid. Engaged = leads that became an engaged opportunity "
        "(or got further). None: nothing paid, or nothing engaged yet."
    )
    table = results[
        ["name", "funds_paid_usd", "leads", "engaged", "won", "won_value_usd", "roi",
         "cost_per_engaged_usd"]
    ]  # fmt: skip
    st.dataframe(
        # Whole dollars and "—" for no figure; a click on a header still sorts the numbers.
        table.style.format(
            {
                "funds_paid_usd": dollars,
                "won_value_usd": dollars,
                "cost_per_engaged_usd": dollars,
                "roi": times,
            }
        ),
        hide_index=True,
        column_config={
            "name": st.column_config.TextColumn("Campaign", pinned=True, width=220),
            "funds_paid_usd": st.column_config.NumberColumn("Funds paid"),
            "leads": st.column_config.NumberColumn("Leads"),
            "engaged": st.column_config.NumberColumn("Engaged"),
            "won": st.column_config.NumberColumn("Won"),
            "won_value_usd": st.column_config.NumberColumn("Won value"),
            "roi": st.column_config.NumberColumn("ROI", help="Won value ÷ funds paid"),
            "cost_per_engaged_usd": st.column_config.NumberColumn(
                "Cost / engaged", help="Funds paid ÷ engaged opportunities"
            ),
        },
        key=key(vendor, "campaign_table"),
    )
    money = results.melt(
        id_vars=["name", "roi"],
        value_vars=["funds_paid_usd", "won_value_usd"],
        var_name="figure",
        value_name="usd",
    ).replace({"funds_paid_usd": "funds paid", "won_value_usd": "won value"})
    names = alt.Y("name:N", title=None, axis=LABELS, sort=list(results["name"]))
    st.altair_chart(
        alt.Chart(money, title="Funds paid and won value")
        .mark_bar()
        .encode(
            y=names,
            x=alt.X("usd:Q", title="USD", axis=alt.Axis(format="$,.0f")),
            color=alt.Color(
                "figure:N", title=None, legend=alt.Legend(orient="bottom", direction="vertical")
            ),
            yOffset="figure:N",
            tooltip=["name", "figure", alt.Tooltip("usd:Q", format="$,.0f")],
        )
        .properties(height=alt.Step(14)),  # per bar, so names never overlap
        width="stretch",
    )
    paid = results.dropna(subset=["roi"])
    st.altair_chart(
        alt.Chart(paid, title="ROI (won value ÷ funds paid)")
        .mark_bar(color="#2a9d8f")
        .encode(
            y=alt.Y("name:N", title=None, axis=LABELS, sort="-x"),
            x=alt.X("roi:Q", title="ROI (×)"),
            tooltip=["name", alt.Tooltip("roi:Q", title="ROI", format=".2f")],
        )
        .properties(height=alt.Step(28)),
        width="stretch",
    )
    st.download_button(
        "Download campaign results (CSV)",
        data=lambda: audited_export(  # on the click: who took which vendor's results
            engine=engine,
            actor=account,
            what="campaign results",
            build=lambda: csv_bytes(results),
            details={"vendor": vendor},
        ),
        file_name=f"campaign-results-{vendor.lower().replace(' ', '-')}.csv",
        mime="text/csv",
        key=key(vendor, "campaign_csv"),
    )


def _sizes(account: AccountPublic, vendor: str) -> None:
    st.subheader("Which company sizes pay")
    with Session(get_engine()) as session:
        sizes = size_bracket_results(session=session, viewer=account, vendor=vendor)
    st.caption("Your leads of the last 12 months by the customer's company size.")
    long = sizes.melt(
        id_vars=["size_label"], value_vars=["leads", "engaged", "won"], var_name="stage",
        value_name="count",
    )  # fmt: skip
    left, right = st.columns(2)
    left.altair_chart(
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("size_label:N", sort=list(sizes["size_label"]), title=None, axis=LABELS),
            x=alt.X("count:Q", title="leads"),
            color=alt.Color(
                "stage:N",
                title=None,
                sort=["leads", "engaged", "won"],
                legend=alt.Legend(orient="bottom"),
            ),
            yOffset=alt.YOffset("stage:N", sort=["leads", "engaged", "won"]),
            tooltip=["size_label", "stage", "count"],
        )
        .properties(height=300),
        width="stretch",
    )
    right.altair_chart(
        alt.Chart(sizes)
        .mark_bar(color="#2a9d8f")
        .encode(
            y=alt.Y("size_label:N", sort=list(sizes["size_label"]), title=None, axis=LABELS),
            x=alt.X("won_value_usd:Q", title="won value (USD)"),
            tooltip=["size_label", alt.Tooltip("won_value_usd:Q", format="$,.0f")],
        )
        .properties(height=300),
        width="stretch",
    )


def _coverage(account: AccountPublic, vendor: str) -> None:
    st.subheader(f"Coverage by {vendor} certifications")
    regions = regions_visible_to(account)
    if not regions:
        st.info("Your account covers no sales region yet. Ask an administrator to add one.")
        return
    labels = {r.key: r.label for r in regions}
    region_key = st.selectbox(
        "Region", list(labels), format_func=labels.__getitem__, key=key(vendor, "region")
    )
    region = region_for(account, region_key)  # core re-checks the account covers it
    index = get_index_holder().get()
    with Session(get_engine()) as session:
        coverage = own_certification_coverage(
            session=session, viewer=account, vendor=vendor, index=index, states=region.states
        )
    checkable = coverage[coverage["area_key"].isin(get_taxonomy().evidenceable_keys)]
    long = checkable.melt(
        id_vars=["area"], value_vars=["any_vendor_evidenced", "own_evidenced"],
        var_name="basis", value_name="partners",
    ).replace({"any_vendor_evidenced": "any vendor's certifications",
               "own_evidenced": f"{vendor} certifications"})  # fmt: skip
    st.caption(
        "Partners in the region at proficient or better, evidenced by any vendor's "
        f"certifications and by {vendor}'s own."
    )
    st.altair_chart(
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("area:N", sort=list(checkable["area"]), title=None, axis=LABELS),
            x=alt.X("partners:Q", title="partners in region"),
            color=alt.Color("basis:N", title=None, legend=alt.Legend(orient="bottom")),
            yOffset="basis:N",
            tooltip=["area", "basis", "partners"],
        )
        .properties(height=520),
        width="stretch",
    )
    _recruit(account, vendor, checkable, index, region.states)


def _recruit(
    account: AccountPublic,
    vendor: str,
    checkable: pd.DataFrame,
    index: ReadIndex,
    states: tuple[str, ...],
) -> None:
    st.subheader("Recruit candidates")
    # Thinnest own coverage first: where the vendor's certified partners are fewest.
    thin = checkable.sort_values(["own_evidenced", "any_vendor_evidenced"], ascending=[True, False])
    areas = {
        k: f"{area} ({int(own)} {vendor}-certified)"
        for k, area, own in zip(thin["area_key"], thin["area"], thin["own_evidenced"], strict=True)
    }
    area_key = st.selectbox(
        "Area where your coverage is thin",
        list(areas),
        format_func=areas.__getitem__,
        key=key(vendor, "recruit_area"),
    )
    with Session(get_engine()) as session:
        candidates = recruit_candidates(
            session=session, viewer=account, vendor=vendor, index=index, states=states,
            area_key=area_key,
        )  # fmt: skip
    if candidates.empty:
        st.info("No partner outside your program has certified strength there in this region.")
        return
    levels = get_taxonomy().level_labels()
    st.caption(
        "Partners not in your program whose certifications (any vendor) prove this area at "
        "proficient or better, strongest first. Public profile data only."
    )
    st.dataframe(
        candidates.assign(evidenced_level=candidates["evidenced_level"].map(levels))[
            ["name", "hq", "evidenced_level", "certifications"]
        ],
        hide_index=True,
        column_config={
            "name": st.column_config.TextColumn("Partner", pinned=True),
            "hq": "Headquarters",
            "evidenced_level": "Certified level",
            "certifications": st.column_config.NumberColumn(
                "Certs", help="certifications that evidence this area"
            ),
        },
        key=key(vendor, "recruit_table"),
    )
