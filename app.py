"""Partner Atlas entry point: page config, navigation built per role, sidebar.

Every page is also safe to run on its own (see pages/__init__.py), because hidden
navigation entries are not access control.
"""

from __future__ import annotations

import streamlit as st

from core.models import ROLE_ADMIN, ROLE_PARTNER, ROLE_VENDOR
from pages import ROLE_LABELS, current_account, get_engine, sign_out

st.set_page_config(page_title="Partner Atlas", page_icon="🧭", layout="wide")

# url_path differs from each file's stem on purpose: a first deep link to /find on a fresh
# server then routes through st.navigation instead of running the file in legacy mode.
PUBLIC_PAGES = [
    st.Page("pages/home.py", title="Home", icon="🧭", url_path="home", default=True),
    st.Page("pages/find_partners.py", title="Find partners", icon="🔎", url_path="find"),
    st.Page("pages/team_builder.py", title="Build a team", icon="🤝", url_path="teams"),
    st.Page("pages/regional_map.py", title="Regional map", icon="🗺️", url_path="map"),
    st.Page("pages/compare_partners.py", title="Compare", icon="⚖️", url_path="compare"),
    st.Page("pages/partner_profile.py", title="Partner profile", icon="🏢", url_path="partner"),
]
SIGN_IN_PAGE = st.Page("pages/sign_in.py", title="Sign in", icon="🔑", url_path="sign-in")
ACCOUNT_PAGE = st.Page("pages/account.py", title="My account", icon="👤", url_path="account")
ROLE_PAGES = {
    ROLE_PARTNER: [
        st.Page("pages/my_profile.py", title="My profile", icon="✏️", url_path="my-profile"),
        st.Page("pages/my_leads.py", title="My leads", icon="📥", url_path="my-leads"),
        st.Page(
            "pages/complementary_partners.py",
            title="Complementary partners",
            icon="🧩",
            url_path="complements",
        ),
    ],
    ROLE_VENDOR: [
        st.Page("pages/vendor_region.py", title="My region", icon="📊", url_path="region"),
        st.Page(
            "pages/complementary_partners.py",
            title="Complementary partners",
            icon="🧩",
            url_path="complements",
        ),
    ],
    ROLE_ADMIN: [
        st.Page("pages/admin_accounts.py", title="Accounts", icon="👥", url_path="accounts"),
        st.Page("pages/admin_approvals.py", title="Approvals", icon="✅", url_path="approvals"),
        st.Page("pages/admin_audit.py", title="Audit trail", icon="📜", url_path="audit"),
        st.Page("pages/admin_data.py", title="Import & export", icon="📦", url_path="data"),
        st.Page("pages/vendor_region.py", title="Regions", icon="📊", url_path="region"),
        st.Page(
            "pages/complementary_partners.py",
            title="Complementary partners",
            icon="🧩",
            url_path="complements",
        ),
    ],
}

get_engine()  # first start: schema and demo directory, behind a spinner
account = current_account()

if account is None:
    sections = {"Directory": PUBLIC_PAGES, "Account": [SIGN_IN_PAGE]}
else:
    sections = {
        "Directory": PUBLIC_PAGES,
        ROLE_LABELS[account.role]: ROLE_PAGES[account.role],
        "Account": [ACCOUNT_PAGE],
    }

with st.sidebar:
    if account is None:
        st.caption("Vendors, partners and administrators: sign in for your own screens.")
    else:
        st.caption(f"Signed in as **{account.username}** · {ROLE_LABELS[account.role]}")
        if st.button("Sign out", key="sidebar_sign_out"):
            sign_out()
            st.rerun()

st.navigation(sections).run()
