"""My program (vendor teams; administrators pick a vendor): the vendor's own partner program.

Members and requests. Everything shown and every change is decided by core with the
signed-in account: a vendor sees and runs only its own program.
"""

from __future__ import annotations

import streamlit as st

from core.models import ROLE_ADMIN, ROLE_VENDOR
from pages import setup_page
from pages.parts.program_common import program_vendor
from pages.parts.program_members import render_members
from pages.parts.saving import show_saved

account = setup_page("My program", "🏅", roles=(ROLE_VENDOR, ROLE_ADMIN))
assert account is not None  # setup_page stops the run for anonymous visitors
vendor = program_vendor(account)
st.caption(
    f"The {vendor} partner program. Members' figures are confidential: a member's revenue "
    "and growth show only where that partner shares them with you."
)
show_saved()

(members_tab,) = st.tabs(["Members"])
with members_tab:
    render_members(account, vendor)
