"""My standing: where a partner lands after signing in. Its business over time, its leads
against last year, where it ranks among peers, its ROI per vendor program; what it could
learn ("Know your competencies") and the demand near it it could meet. Thin: sections in
pages/parts/standing_*.py, the rules and every access check in core."""

from __future__ import annotations

import streamlit as st

from pages.parts.programs_partner_summary import summary_section
from pages.parts.saving import show_saved
from pages.parts.standing_business import business_section
from pages.parts.standing_common import setup_standing_page
from pages.parts.standing_competencies import competencies_section, gaps_section
from pages.parts.standing_leads import leads_section, peers_section

account, PARTNER_ID = setup_standing_page()
show_saved()

standing, competencies, gaps = st.tabs(
    ["Where you stand", "Know your competencies", "Gaps you could fill"], key="ms_tab"
)
with standing:
    business_section(account=account, partner_id=PARTNER_ID)
    leads_section(account=account, partner_id=PARTNER_ID)
    peers_section(account=account, partner_id=PARTNER_ID)
    st.subheader("Your return per vendor program")
    summary_section(account=account, partner_id=PARTNER_ID)
with competencies:
    competencies_section(account=account, partner_id=PARTNER_ID)
with gaps:
    gaps_section(account=account, partner_id=PARTNER_ID)
