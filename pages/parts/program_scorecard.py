"""My program › Results › Member scorecard: every column readable, also on a phone.

Twelve figures per member do not fit a 390 px screen (the old benchmark table hid revenue,
ROI and growth off to the right). So the table shows the partner name and one group
of at most three figures at a time, chosen above it; each header says what it counts (hover
for the definition); a click on a header sorts. The database sorts the whole program by the
chosen measure and the screen shows its first page (core.analytics.program_members); a chart
ranks the best of them, a member picker shows one member's whole scorecard as a list, and
the CSV (built when asked for) has every member and every column.
"""

from __future__ import annotations

from datetime import date
from functools import partial

import altair as alt
import pandas as pd
import streamlit as st
from sqlmodel import Session

from core.analytics.program_members import (
    SCORECARD_PAGE_ROWS,
    SORTABLE,
    count_active_members,
    member_scorecard,
)
from core.exports import audited_export
from core.models import AccountPublic
from pages import get_engine
from pages.parts.program_common import csv_bytes, key

NAME_WIDTH = 150  # px: the pinned name column; three figures of 64 px fit beside it at 390 px
FIGURE_WIDTH = 64

# column -> (header, help, column_config kind, format); headers short enough for 64 px.
FIGURES: dict[str, tuple[str, str, str, str]] = {
    "leads": ("Leads", "Your leads sent to this member in the last 12 months.", "n", "%d"),
    "reported_share": (
        "Reported",
        "Reporting compliance: share of your leads the member moved out of “new” within 14 days.",
        "n",
        "percent",
    ),
    "median_first_response_hours": (
        "Reply (h)",
        "Median hours from a lead's arrival to the member's first status change.",
        "n",
        "%.0f",
    ),
    "win_rate": ("Win rate", "Won ÷ (won + lost), your leads only.", "n", "percent"),
    "won_value_usd": ("Won", "Value (USD) of the deals won from your leads.", "n", "dollar"),
    "roi": ("ROI", "Won value ÷ funds you paid this member (empty: nothing paid).", "n", "%.1f×"),
    "funds_received_usd": (
        "Funds",
        "Co-marketing funds (USD) you paid in 12 months.",
        "n",
        "dollar",
    ),
    "revenue_usd": (
        "Revenue",
        "Yearly revenue (USD), only where the member shares its figures with you.",
        "n",
        "dollar",
    ),
    "revenue_growth": (
        "Growth",
        "Revenue growth year over year, only where the member shares its figures with you.",
        "n",
        "percent",
    ),
    "headcount": (
        "Staff",
        "Employees at the end of the year, only where the member shares its figures with you.",
        "n",
        "%d",
    ),
    "all_leads_12_months": (
        "All leads",
        "Every lead the member received in 12 months (public profile figure; from 5 leads).",
        "n",
        "%d",
    ),
    "answered_share": (
        "Answers",
        "Share of all its leads the member answered (public profile figure).",
        "n",
        "percent",
    ),
    "answered_in_two_days_share": (
        "In 2 days",
        "Share of all its leads answered within 2 business days (public profile figure).",
        "n",
        "percent",
    ),
    "all_leads_median_response_hours": (
        "Median (h)",
        "Median hours to the first response over all its leads (public profile figure).",
        "n",
        "%.0f",
    ),
    "tier": ("Tier", "The member's tier in your program.", "t", ""),
    "since": ("Since", "Member since.", "d", ""),
    "figures_shared": ("Shares", "The member shares its business figures with you.", "b", ""),
}
GROUPS: dict[str, list[str]] = {
    "Reporting": ["leads", "reported_share", "median_first_response_hours"],
    "Wins": ["win_rate", "won_value_usd", "roi"],
    "Money": ["funds_received_usd", "roi", "won_value_usd"],
    "Responsiveness": [
        "all_leads_12_months",
        "answered_share",
        "answered_in_two_days_share",
        "all_leads_median_response_hours",
    ],
    "Business": ["revenue_usd", "revenue_growth", "headcount"],
    "Membership": ["tier", "since", "figures_shared"],
}


def _config(column: str) -> object:
    header, help_text, kind, _fmt = FIGURES[column]
    if kind == "n":  # shown through the Styler (_text): "—" where there is no figure
        return st.column_config.NumberColumn(header, help=help_text, width=FIGURE_WIDTH)
    if kind == "d":
        return st.column_config.DateColumn(
            header, help=help_text, format="MMM YYYY", width=FIGURE_WIDTH
        )
    if kind == "b":
        return st.column_config.CheckboxColumn(header, help=help_text, width=FIGURE_WIDTH)
    return st.column_config.TextColumn(header, help=help_text, width=FIGURE_WIDTH)


def render_scorecard(account: AccountPublic, vendor: str) -> None:
    st.subheader("Member scorecard")
    engine = get_engine()
    with Session(engine) as session:
        total = count_active_members(session=session, viewer=account, vendor=vendor)
    if not total:
        st.info("No active member yet: the scorecard fills as members join and work your leads.")
        return
    left, right = st.columns([1, 2])
    sort_by = left.selectbox(
        "Best first by",
        list(SORTABLE),
        format_func=lambda c: FIGURES[c][0] + (" (USD)" if FIGURES[c][3] == "dollar" else ""),
        key=key(vendor, "score_sort"),
    )
    with right:
        group = st.segmented_control(
            "Figures", list(GROUPS), default="Reporting", key=key(vendor, "score_group")
        ) or "Reporting"  # fmt: skip
    # The database sorts the whole program; the screen shows the first page of it.
    with Session(engine) as session:
        card = member_scorecard(
            session=session, viewer=account, vendor=vendor, sort_by=sort_by,
            limit=SCORECARD_PAGE_ROWS,
        )  # fmt: skip
    shown_of = f"the best {len(card)} of {total:,}" if total > len(card) else f"all {total:,}"
    st.caption(
        f"Active members, last 12 months: {shown_of}. Click a header to sort these rows, hover "
        "it for what it counts. None: no figure yet (no lead, nothing paid), or revenue and "
        "growth of a member that does not share its figures with you."
    )
    columns = GROUPS[group]
    figures = [c for c in columns if FIGURES[c][2] == "n"]
    # A click on a header sorts by the numbers; the Styler only says how they read.
    shown = card[["name", *columns]].style.format(
        {c: partial(_text, c, compact=True) for c in figures}
    )
    st.dataframe(
        shown,
        hide_index=True,
        column_order=["name", *columns],
        column_config={
            "name": st.column_config.TextColumn("Partner", width=NAME_WIDTH),
            **{c: _config(c) for c in columns},
        },
        key=key(vendor, "scorecard"),
    )
    _chart(card, sort_by)
    _one_member(card, vendor)

    def whole_program() -> bytes:
        # Built only when the button is pressed (on another thread): every member, all columns.
        def build() -> bytes:
            with Session(engine) as session:
                return csv_bytes(member_scorecard(session=session, viewer=account, vendor=vendor))

        # Audited on the click: who took which vendor's member figures, how many rows.
        return audited_export(
            engine=engine,
            actor=account,
            what="member scorecard",
            build=build,
            details={"vendor": vendor},
        )

    st.download_button(
        f"Download the scorecard of all {total:,} members (CSV, every column)",
        data=whole_program,
        file_name=f"member-scorecard-{vendor.lower().replace(' ', '-')}.csv",
        mime="text/csv",
        key=key(vendor, "score_csv"),
    )


def _chart(card: pd.DataFrame, metric: str) -> None:
    header, measure = FIGURES[metric][0], SORTABLE[metric]
    ranked = card[card[metric].fillna(0) > 0].head(15)
    if ranked.empty:
        st.caption(f"No member has any {measure} yet.")
        return
    st.altair_chart(
        alt.Chart(ranked, title=f"Best {len(ranked)} by {measure}")
        .mark_bar()
        .encode(
            y=alt.Y(
                "name:N", sort="-x", title=None, axis=alt.Axis(labelLimit=170, labelOverlap=False)
            ),
            x=alt.X(f"{metric}:Q", title=header),
            tooltip=["name", "tier", alt.Tooltip(f"{metric}:Q", title=header)],
        )
        .properties(height=alt.Step(26)),
        width="stretch",
    )


def _one_member(card: pd.DataFrame, vendor: str) -> None:
    names = dict(zip(card["partner_id"], card["name"], strict=True))
    chosen = st.selectbox(
        "One member's scorecard",
        list(names),
        format_func=lambda pid: names[pid],
        index=None,
        placeholder="Choose a member",
        key=key(vendor, "score_member"),
    )
    if chosen is None:
        return
    row = card[card["partner_id"] == chosen].iloc[0]
    st.dataframe(
        [{"Figure": FIGURES[c][0], "Value": _text(c, row[c])} for c in FIGURES],
        hide_index=True,
        width="stretch",
    )


def _text(column: str, value: object, *, compact: bool = False) -> str:
    """A figure as the scorecard reads it; "—" where there is none (no lead yet, nothing
    paid, or business figures the member does not share)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    if column == "figures_shared":
        return "yes" if value else "no"
    if isinstance(value, date):
        return f"{value:%b %Y}"
    if not isinstance(value, int | float):
        return str(value)
    fmt = FIGURES[column][3]
    if fmt == "percent":
        return f"{value:.0%}"
    if fmt == "dollar":
        return usd_compact(value) if compact else f"${value:,.0f}"
    if fmt == "%.1f×":
        return f"{value:.1f}×"
    return f"{value:,.0f}"


def usd_compact(value: float) -> str:
    """$ amounts short enough for a 64 px column: $840, $12k, $1.5M."""
    size = abs(value)
    if size >= 999_500:
        return f"${value / 1_000_000:,.1f}M"
    if size >= 9_950:
        return f"${value / 1_000:,.0f}k"
    if size >= 1_000:
        return f"${value / 1_000:,.1f}k"
    return f"${value:,.0f}"
