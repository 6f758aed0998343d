"""My programs: the partner's side of its vendor programs: memberships, what each vendor may
see, co-marketing funds, deal registrations, the leads each vendor sent and the partner's
ROI per vendor. Thin: the sections live in pages/parts/programs_partner_*.py, the rules in
core."""

from __future__ import annotations

import streamlit as st

from pages.parts.programs_partner_common import active_vendors, load_programs, setup_programs_page
from pages.parts.programs_partner_consent import consent_section
from pages.parts.programs_partner_deals import deals_section
from pages.parts.programs_partner_funds import funds_section
from pages.parts.programs_partner_memberships import memberships_section
from pages.parts.programs_partner_summary import summary_section
from pages.parts.saving import show_saved

account, PARTNER_ID = setup_programs_page("My programs", "🗂️")
show_saved()
programs = load_programs(account, PARTNER_ID)
ACTIVE = active_vendors(programs)

TABS = ["Memberships", "Sharing figures", "Funds", "Deals", "Leads & ROI"]
memberships, consent, funds, deals, roi = st.tabs(TABS, key="pp_tab")
with memberships:
    memberships_section(account=account, partner_id=PARTNER_ID, programs=programs)
with consent:
    consent_section(account=account, partner_id=PARTNER_ID, programs=programs)
with funds:
    funds_section(account=account, partner_id=PARTNER_ID, active=ACTIVE)
with deals:
    deals_section(account=account, partner_id=PARTNER_ID, active=ACTIVE)
with roi:
    summary_section(account=account, partner_id=PARTNER_ID)
