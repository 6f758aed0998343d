"""My programs, section "Leads and ROI": per vendor, the leads it sent, the deals won from
them, the funds it paid and the partner's own return on them (won value ÷ funds paid).
Aggregated by core in SQL (core.analytics.partner_programs)."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlmodel import Session

from core.analytics.partner_programs import partner_program_summary
from core.models import AccountPublic
from pages import get_engine


def summary_section(*, account: AccountPublic, partner_id: int) -> None:
    with Session(get_engine()) as session:
        summary = partner_program_summary(session=session, viewer=account, partner_id=partner_id)
    # Vendors that sent leads or paid funds; a bare consent row has nothing to show here.
    summary = summary[(summary["leads"] > 0) | (summary["funds_paid_usd"] > 0)]
    if summary.empty:
        st.info("No vendor has sent you leads or paid you funds yet.")
    else:
        # A static table wraps: the ROI column stays in view on a phone too.
        st.table(
            [
                {
                    "Vendor": row.vendor,
                    "Leads sent": int(row.leads),
                    "Won": int(row.won),
                    "Won value": f"${row.won_value_usd:,.0f}",
                    "Funds paid": f"${row.funds_paid_usd:,.0f}",
                    "ROI": "—" if row.roi is None or pd.isna(row.roi) else f"{row.roi:.1f}×",
                }
                for row in summary.itertuples()
            ],
            hide_index=True,
        )
        st.caption(
            "ROI = value of the deals won from that vendor's leads ÷ the funds it paid you (— when "
            "it paid none). "
            "Report wins on My leads: a won lead counts here with its value."
        )
    st.page_link("pages/my_leads.py", label="Open My leads", icon="📥")
