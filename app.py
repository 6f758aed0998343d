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
from pages import ROLE_LABELS, current_account, get_engine, sign_out

st.set_page_config(page_title="Partner Atlas", page_icon="🧭", layout="wide")


def page(file: str, title: str, icon: str, url_path: str, **kwargs: bool) -> st.Page:
    # Most url_paths differ from their file's stem, so a first deep link on a fresh server
    # routes through st.navigation rather than Streamlit's legacy pages-folder mode; for the
    # two that match (/home, /account) pages.leave_legacy_pages_mode() reroutes it.
    return st.Page(f"pages/{file}.py", title=title, icon=icon, url_path=url_path, **kwargs)


HOME = page("home", "Home", "🧭", "home", default=True)
FIND = page("find_partners", "Find partners", "🔎", "find")
TEAMS = page("team_builder", "Build a team", "🤝", "teams")
MAP = page("regional_map", "Regional map", "🗺️", "map")
COMPARE = page("compare_partners", "Compare", "⚖️", "compare")
PROFILE = page("partner_profile", "Partner profile", "🏢", "partner")
SIGN_IN = page("sign_in", "Sign in", "🔑", "sign-in")
ACCOUNT = page("account", "My account", "👤", "account")
MY_PROFILE = page("my_profile", "My profile", "✏️", "my-profile")
MY_LEADS = page("my_leads", "My leads", "📥", "my-leads")
COMPLEMENTS = page("complementary_partners", "Complementary partners", "🧩", "complements")
REGION = page("vendor_region", "My region", "📊", "region")
ACCOUNTS = page("admin_accounts", "Accounts", "👥", "accounts")
APPROVALS = page("admin_approvals", "Approvals", "✅", "approvals")
AUDIT = page("admin_audit", "Audit trail", "📜", "audit")
DATA = page("admin_data", "Import & export", "📦", "data")

ALL_PAGES = [HOME, FIND, TEAMS, MAP, COMPARE, PROFILE, SIGN_IN, ACCOUNT, MY_PROFILE, MY_LEADS,
             COMPLEMENTS, REGION, ACCOUNTS, APPROVALS, AUDIT, DATA]  # fmt: skip
DIRECTORY_MENU = [HOME, FIND, TEAMS, MAP, COMPARE]
ROLE_MENUS = {
    ROLE_PARTNER: [MY_PROFILE, MY_LEADS, COMPLEMENTS],
    ROLE_VENDOR: [REGION, COMPLEMENTS],
    ROLE_ADMIN: [ACCOUNTS, APPROVALS, AUDIT, DATA, REGION, COMPLEMENTS],
}

get_engine()  # first start: schema and demo directory, behind a spinner
account = current_account()
current = st.navigation(ALL_PAGES, position="hidden")

with st.sidebar:
    st.markdown("### 🧭 Partner Atlas")
    st.caption("Directory")
    for entry in DIRECTORY_MENU:
        st.page_link(entry)
    if account is None:
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

current.run()
