"""Sign in: username and password; one message for every failure (no username probing)."""

from __future__ import annotations

import streamlit as st

from core.accounts.errors import SignInError
from core.accounts.passwords import MAX_PASSWORD_LENGTH
from core.accounts.sign_in import authenticate
from core.models import MaxLength, utc_now
from pages import ROLE_LABELS, setup_page
from pages.parts.landing import remember_and_land
from pages.parts.saving import save

account = setup_page("Sign in", "🔑")

if account is not None:
    st.success(f"You are signed in as {account.username} ({ROLE_LABELS[account.role]}).")
    st.write("Your own screens are listed in the sidebar.")
    st.stop()

if st.session_state.pop("session_expired", False):
    st.warning("Your session has expired. Please sign in again.")

st.write("Vendor teams, partners and administrators sign in here to reach their own screens.")

with st.form("sign_in_form"):
    username = st.text_input("Username", max_chars=MaxLength.USERNAME, key="sign_in_username")
    password = st.text_input(
        "Password", type="password", max_chars=MAX_PASSWORD_LENGTH, key="sign_in_password"
    )
    submitted = st.form_submit_button("Sign in", type="primary")

if submitted:
    # No message: the rerun rebuilds the navigation with this role's pages.
    save(
        lambda session: authenticate(
            session=session, username=username, password=password, now=utc_now()
        ),
        errors=(SignInError,),
        done=remember_and_land,  # a partner lands on My standing
    )
