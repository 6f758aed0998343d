"""My programs, section "Leads and ROI": per vendor, the leads it sent, the deals won from
them, the funds it paid and the partner's own return on them (won value ÷ funds paid).
Aggregated by core in SQL (core.analytics.partner_programs)."""

from __future__ import annotations

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
        st.dataframe(
            summary[["vendor", "leads", "won", "won_value_usd", "funds_paid_usd", "roi"]],
            hide_index=True,
            column_config={
                "vendor": "Vendor",
                "leads": st.column_config.NumberColumn("Leads sent"),
                "won": st.column_config.NumberColumn("Won"),
                "won_value_usd": st.column_config.NumberColumn("Won value", format="dollar"),
                "funds_paid_usd": st.column_config.NumberColumn("Funds paid", format="dollar"),
                "roi": st.column_config.NumberColumn(
                    "ROI", format="%.1f×", help="Won value ÷ funds paid; empty when none was paid."
                ),
            },
        )
        st.caption(
            "ROI = value of the deals won from that vendor's leads ÷ the funds it paid you. "
            "Report wins on My leads: a won lead counts here with its value."
        )
    st.page_link("pages/my_leads.py", label="Open My leads", icon="📥")
