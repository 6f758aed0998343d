"""My standing, "Leads" and "Among your peers": this 12 months against the 12 before, and
the partner's own percentile rank in its peer group (core.analytics.standing_peers: only
with 5 peers or more, never a peer's figure)."""

from __future__ import annotations

import streamlit as st
from sqlmodel import Session

from core.analytics.standing import LAST_YEAR, THIS_YEAR, LeadPeriod, lead_periods
from core.analytics.standing_peers import PeerRank, peer_standing
from core.anonymity import K_MIN
from core.formatting import escape_markdown
from core.models import AccountPublic, utc_now
from pages import get_engine
from pages.parts.standing_common import percent

FUNNEL_LABELS = {
    "received": "Received", "engaged": "Engaged", "won": "Won", "lost": "Lost",
    "qualified_out": "Qualified out", "open": "Still open",
}  # fmt: skip


def leads_section(*, account: AccountPublic, partner_id: int) -> None:
    st.subheader("Your leads: the last 12 months against the 12 before")
    with Session(get_engine()) as session:
        periods = lead_periods(
            session=session, viewer=account, partner_id=partner_id, now=utc_now()
        )
    this, last = periods[THIS_YEAR], periods[LAST_YEAR]
    received, won, rate, median = st.columns(4)
    received.metric("Leads received", this.received, delta=this.received - last.received)
    won.metric("Won", this.won, delta=this.won - last.won)
    rate.metric("Win rate", percent(this.win_rate), delta=_points(this, last))
    median.metric(
        "Median first response",
        _hours(this.median_first_response_hours),
        delta=_hours_delta(this, last),
        delta_color="inverse",  # faster is better
    )
    st.table(
        [
            {
                "": label,
                "Last 12 months": getattr(this, key),
                "12 months before": getattr(last, key),
            }
            for key, label in FUNNEL_LABELS.items()
        ],
        hide_index=True,
    )
    st.caption("Win rate = won ÷ (won + lost). Leads count in the period they arrived.")


def _points(this: LeadPeriod, last: LeadPeriod) -> str | None:
    if this.win_rate is None or last.win_rate is None:
        return None
    return f"{(this.win_rate - last.win_rate) * 100:+.0f} points"


def _hours(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} h"


def _hours_delta(this: LeadPeriod, last: LeadPeriod) -> str | None:
    a, b = this.median_first_response_hours, last.median_first_response_hours
    return None if a is None or b is None else f"{a - b:+.1f} h"


def peers_section(*, account: AccountPublic, partner_id: int) -> None:
    st.subheader("Among your peers")
    with Session(get_engine()) as session:
        result = peer_standing(
            session=session, viewer=account, partner_id=partner_id, now=utc_now()
        )
    if result.region is None:
        st.info("Add an office to your profile to be compared with partners in your region.")
        return
    st.caption(
        f"Your group: partners based in the {escape_markdown(result.region)} with "
        f"{escape_markdown(result.size_band)} (last year's headcount). Peers are never named "
        f"and their figures never shown: only where you rank, with {K_MIN} peers or more."
    )
    if not result.enough_peers:
        st.info(f"Not enough peers in your group to compare ({result.group_peers}).")
        return
    st.table([_row(rank) for rank in result.ranks], hide_index=True)
    st.caption(
        "Percentile: the share of your peers below you (ties count half), rounded to 10. "
        "A figure needs 5 peers that have it too."
    )


def _row(rank: PeerRank) -> dict[str, str]:
    if rank.own_value is None:
        you = "—"
    elif rank.metric == "breadth":
        you = f"{rank.own_value:.0f}"
    else:
        you = percent(rank.own_value, 1 if rank.metric == "growth" else 0)
    if rank.percentile is not None:
        where = f"{rank.percentile}th percentile of {rank.peers} peers"
    elif rank.own_value is None:
        where = "No figure of yours yet"
    else:
        where = f"Not enough peers with this figure ({rank.peers})"
    return {"": rank.label, "You": you, "Where you stand": where}
