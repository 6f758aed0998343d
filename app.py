"""Partner Atlas entry point: page config, navigation, a sidebar menu built per role.

Every page is registered with st.navigation for every visitor, so a deep link to a
restricted page reaches that page and its own access check answers (a sign-in prompt, no
data) rather than a "page not found". What each role is *offered* is the sidebar menu
below; what each role may *see* is decided by setup_page() at the top of every page and
again by core on every write.
"""

from __future__ import annotations

import streamlit as st

from core.formatting import escape_markdown
from core.models import ROLE_ADMIN, ROLE_PARTNER, ROLE_VENDOR
from pages import ROLE_LABELS, current_account, get_engine, sign_in_unavailable, sign_out
from pages.parts.errors import plain_errors
from pages.parts.phone_sidebar import fold_sidebar_after_navigation_on_phones
from pages.parts.routing import app_page, mark_routed_by_app

st.set_page_config(page_title="Partner Atlas", page_icon="🧭", layout="wide")

# Each URL is its file's stem (/find_partners), the only URLs Streamlit knows when it runs a
# fresh server's first deep link in its legacy pages-folder mode: pages/parts/routing.py.
HOME = app_page("home", "Home", "🧭", default=True)
FIND = app_page("find_partners", "Find partners", "🔎")
TEAMS = app_page("team_builder", "Build a team", "🤝")
MAP = app_page("regional_map", "Regional map", "🗺️")
COMPARE = app_page("compare_partners", "Compare", "⚖️")
PROFILE = app_page("partner_profile", "Partner profile", "🏢")
SIGN_IN = app_page("sign_in", "Sign in", "🔑")
ACCOUNT = app_page("account", "My account", "👤")
MY_PROFILE = app_page("my_profile", "My profile", "✏️")
MY_LEADS = app_page("my_leads", "My leads", "📥")
MY_PROGRAMS = app_page("my_programs", "My programs", "🗂️")
MY_STANDING = app_page("my_standing", "My standing", "📈")
COMPLEMENTS = app_page("complementary_partners", "Complementary partners", "🧩")
REGION = app_page("vendor_region", "My region", "📊")
PROGRAM = app_page("my_program", "My program", "🏅")
ACCOUNTS = app_page("admin_accounts", "Accounts", "👥")
APPROVALS = app_page("admin_approvals", "Approvals", "✅")
AUDIT = app_page("admin_audit", "Audit trail", "📜")
DATA = app_page("admin_data", "Import & export", "📦")
OUTBOX = app_page("admin_outbox", "Outbox", "📤")
REVIEWS = app_page("admin_reviews", "Reviews", "⭐")
# From the review email only (a won lead's customer): not in the menu.
REVIEW = app_page("review", "Rate your partner", "⭐")
EMAIL_LINK = app_page("email_link", "Your answer", "✉️")  # from emails only: not in the menu
# Reached from the link in a profile nudge email only, never from the menu.
CONFIRM = app_page("profile_confirm", "Confirm your profile", "✅")

ALL_PAGES = [HOME, FIND, TEAMS, MAP, COMPARE, PROFILE, SIGN_IN, ACCOUNT, MY_PROFILE, MY_LEADS,
             MY_PROGRAMS, COMPLEMENTS, REGION, PROGRAM, ACCOUNTS, APPROVALS, AUDIT,
             DATA, OUTBOX, REVIEWS, EMAIL_LINK, CONFIRM, REVIEW, MY_STANDING]  # fmt: skip
DIRECTORY_MENU = [HOME, FIND, TEAMS, MAP, COMPARE]
ROLE_MENUS = {
    ROLE_PARTNER: [MY_STANDING, MY_PROFILE, MY_LEADS, MY_PROGRAMS, COMPLEMENTS],
    ROLE_VENDOR: [PROGRAM, REGION, COMPLEMENTS],
    ROLE_ADMIN: [
        ACCOUNTS,
        APPROVALS,
        AUDIT,
        DATA,
        OUTBOX,
        REVIEWS,
        PROGRAM,
        REGION,
        MY_PROGRAMS,
        MY_STANDING,
        COMPLEMENTS,
    ],
}

with plain_errors("start"):  # e.g. the database down: a plain message, no host or port
    get_engine()  # first start: schema and demo directory, behind a spinner
    account = current_account()
current = st.navigation(ALL_PAGES, position="hidden")  # the app's own menu is below
mark_routed_by_app()

with st.sidebar:
    st.markdown("### 🧭 Partner Atlas")
    st.caption("Directory")
    for entry in DIRECTORY_MENU:
        st.page_link(entry)
    if account is None and sign_in_unavailable():  # the database is away; the session is kept
        st.caption("Account")
        st.caption("⚠️ Sign-in is temporarily unavailable; you stay signed in.")
    elif account is None:
        st.caption("Account")
        st.page_link(SIGN_IN)
        st.caption("Vendors, partners and administrators: sign in for your own screens.")
    else:
        st.caption(ROLE_LABELS[account.role])
        for entry in ROLE_MENUS[account.role]:
            st.page_link(entry)
        st.caption("Account")
        st.page_link(ACCOUNT)
        st.caption(f"Signed in as {escape_markdown(account.username)}")
        if st.button("Sign out", key="sidebar_sign_out"):
            sign_out()
            st.switch_page(HOME)
    fold_sidebar_after_navigation_on_phones()

with plain_errors(current.url_path or "home"):  # every page runs here
    current.run()
