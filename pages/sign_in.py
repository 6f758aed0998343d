"""Sign in: username and password, or single sign-on when configured; one message for every
failure (no username probing). ``?next=<page>`` brings the user back to the page that asked
(only the app's own page names are accepted: pages.safe_next)."""

from __future__ import annotations

import streamlit as st

from core.accounts.errors import SignInError
from core.accounts.passwords import MAX_PASSWORD_LENGTH
from core.accounts.sign_in import SignInResult, authenticate
from core.models import MaxLength, utc_now
from pages import (
    HANDOFF_KEY,
    ROLE_LABELS,
    client_address,
    safe_next,
    setup_page,
)
from pages.parts.landing import remember_and_land
from pages.parts.saving import save
from pages.parts.single_sign_on import offer_single_sign_on

# A sign-in just happened: setup_page sends the browser for its cookie, then to ``next``.
handing_off = HANDOFF_KEY in st.session_state
account = setup_page("Sign in", "🔑")
next_page = safe_next(st.query_params.get("next"))

if account is not None:
    if next_page and next_page != "sign_in" and not handing_off:
        st.switch_page(f"pages/{next_page}.py")  # already signed in: straight there
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


def signed_in(result: SignInResult) -> None:
    remember_and_land(result, next_page)  # no message: the rerun shows the role's pages


if submitted:
    save(
        lambda session: authenticate(
            session=session,
            username=username,
            password=password,
            now=utc_now(),
            address=client_address(),
        ),
        errors=(SignInError,),
        done=signed_in,
    )

offer_single_sign_on(next_page)
