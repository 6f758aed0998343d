"""My standing, "Business over time": the partner's yearly revenue and headcount, growth
as a chart, and a small editor (compare-and-swap on what was shown, core.directory
.year_figures). Confidential: read through core.analytics.standing, which asks
core.confidentiality."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st
from sqlmodel import Session

from core.analytics.standing import FigureYear, figures_over_time
from core.directory.year_figures import SeenFigures, YearFiguresError, save_year_figures
from core.models import AccountPublic, utc_now
from pages import get_engine
from pages.parts.saving import save
from pages.parts.standing_common import percent

SEEN_KEY = "ms_figures_seen"


def business_section(*, account: AccountPublic, partner_id: int) -> None:
    st.subheader("Your business over time")
    st.caption(
        "Confidential: only you, administrators and the vendors you let see your figures "
        "(My programs → Sharing figures)."
    )
    with Session(get_engine()) as session:
        years = figures_over_time(session=session, viewer=account, partner_id=partner_id)
    # What this run shows is what a save on the next run was based on (compare-and-swap).
    seen: dict[int, SeenFigures] = st.session_state.get(SEEN_KEY, {}).get(partner_id, {})
    st.session_state[SEEN_KEY] = {
        partner_id: {y.year: SeenFigures(y.revenue_usd, y.headcount) for y in years}
    }
    if years:
        _chart(years)
        st.table(
            [
                {
                    "Year": str(y.year), "Revenue": f"${y.revenue_usd:,.0f}",
                    "Growth": percent(y.revenue_growth, 1),
                    "Headcount": "—" if y.headcount is None else f"{y.headcount:,}",
                }
                for y in reversed(years)
            ],
            hide_index=True,
        )  # fmt: skip
    else:
        st.info("No yearly figures yet. Enter last year's revenue and headcount below.")
    _editor(account, partner_id, seen, {y.year for y in years})


def _chart(years: list[FigureYear]) -> None:
    frame = pd.DataFrame(
        [
            {"year": str(y.year), "growth": y.revenue_growth}
            for y in years
            if y.revenue_growth is not None
        ]
    )
    if frame.empty:
        st.caption("Growth shows from your second year of figures on.")
        return
    st.altair_chart(
        alt.Chart(frame, title="Revenue growth over the year before")
        .mark_bar()
        .encode(
            x=alt.X("year:N", title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("growth:Q", title=None, axis=alt.Axis(format="%")),
            color=alt.condition(alt.datum.growth >= 0, alt.value("#2a9d8f"), alt.value("#e76f51")),
            tooltip=[alt.Tooltip("year:N"), alt.Tooltip("growth:Q", format=".1%")],
        )
        .properties(height=220),
        width="stretch",
    )


def _editor(
    account: AccountPublic, partner_id: int, seen: dict[int, SeenFigures], stored: set[int]
) -> None:
    last = utc_now().year - 1
    with st.expander("Enter or correct a year", expanded=not stored), st.form("ms_figures"):
        year = st.number_input("Year", min_value=1900, max_value=last + 1, value=last, step=1)
        revenue = st.number_input("Revenue (USD)", min_value=0.0, step=10_000.0, format="%.0f")
        headcount = st.number_input("Headcount at year end", min_value=0, value=None, step=1)
        submitted = st.form_submit_button("Save figures", type="primary")
    if submitted:
        year = int(year)
        save(
            lambda session: save_year_figures(
                session=session, actor=account, partner_id=partner_id, year=year,
                revenue_usd=float(revenue), headcount=None if headcount is None else int(headcount),
                seen=seen.get(year),
            ),
            errors=(YearFiguresError,),
            done=f"Figures of {year} saved.",
        )  # fmt: skip
