"""My program (vendor teams; administrators pick a vendor): the vendor's own program.

Results (campaigns, member scorecard, company sizes, coverage, recruiting), members and
requests, campaigns and funds, campaign leads, lead routing, deal registrations. Everything
shown and every change is decided by core with the signed-in account: a vendor sees and runs only
its own program. The parts live in pages/parts/program_*.py.
"""

from __future__ import annotations

import streamlit as st

from core.models import ROLE_ADMIN, ROLE_VENDOR
from pages import setup_page
from pages.parts.program_campaigns import render_campaigns
from pages.parts.program_common import program_vendor, read_program
from pages.parts.program_deals import render_deals
from pages.parts.program_leads import render_leads
from pages.parts.program_members import render_members
from pages.parts.program_results import render_results
from pages.parts.program_routing import render_routing
from pages.parts.saving import show_saved

account = setup_page("My program", "🏅", roles=(ROLE_VENDOR, ROLE_ADMIN))
assert account is not None  # setup_page stops the run for anonymous visitors
vendor = program_vendor(account)
st.caption(
    f"The {vendor} partner program. Members' figures are confidential: a member's revenue "
    "and growth show only where that partner shares them with you."
)
show_saved()
program = read_program(account, vendor)

results_tab, members_tab, campaigns_tab, leads_tab, routing_tab, deals_tab = st.tabs(
    ["Results", "Members", "Campaigns & funds", "Leads", "Routing", "Deal registrations"]
)
with results_tab:
    render_results(account, vendor)
with members_tab:
    render_members(account, vendor, program.members)
with campaigns_tab:
    render_campaigns(account, program)
with leads_tab:
    render_leads(account, program)
with routing_tab:
    render_routing(account, program)
with deals_tab:
    render_deals(account, program)
