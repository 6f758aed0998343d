"""Single sign-on (OpenID Connect) with ``st.login``, for vendor and administrator accounts.

Configured in ``.streamlit/secrets.toml`` under ``[auth]`` (README, "Single sign-on"); the
sign-in page offers it only then. Streamlit runs the OIDC flow and keeps the provider's
identity in its own cookie; ``adopt_single_sign_on`` maps the verified email to a local
account (core.accounts.sign_in.sign_in_with_sso) and opens one of our sessions like a
password sign-in. Only a fresh identity is adopted (issued less than ``FRESH`` ago), so
Streamlit's identity cookie cannot sign a browser back in after our sign-out, a sign-out
everywhere or an expiry: our session alone decides who is signed in. Signing out of the app
also ends Streamlit's identity (pages.sign_out).
"""

from __future__ import annotations

import time

import streamlit as st

from core.accounts.errors import SignInError
from core.accounts.sign_in import sign_in_with_sso
from core.db import session_scope
from core.models import utc_now
from pages import get_engine, remember_sign_in

SSO_NEXT_KEY = "sso_next"
FRESH_SECONDS = 120


def single_sign_on_configured() -> bool:
    try:
        auth = st.secrets.get("auth")
    except Exception:  # no secrets file at all
        return False
    return bool(auth and auth.get("client_id") and auth.get("server_metadata_url"))


def offer_single_sign_on(next_page: str | None) -> None:
    if not single_sign_on_configured():
        return
    st.divider()
    st.caption("Vendor teams and administrators of organisations with single sign-on:")
    if st.button("Sign in with single sign-on", key="sso_sign_in"):
        st.session_state[SSO_NEXT_KEY] = next_page
        st.login()


def adopt_single_sign_on() -> None:
    """After the provider sent the browser back: a local session for the verified email."""
    if not single_sign_on_configured() or not st.user.is_logged_in:
        return
    issued = st.user.get("iat")
    if not isinstance(issued, int | float) or time.time() - issued > FRESH_SECONDS:
        return  # an old identity: the person signs in again (with the provider's help)
    email = st.user.get("email")
    verified = bool(st.user.get("email_verified", False))
    try:
        with session_scope(get_engine()) as session:
            result = sign_in_with_sso(
                session=session, email=str(email or ""), email_verified=verified, now=utc_now()
            )
    except SignInError as exc:
        # No st.logout here: it would send the browser on to the provider's own sign-out
        # page. The provider's identity stays with Streamlit but signs nobody in here.
        st.error(str(exc))
    else:
        remember_sign_in(result, st.session_state.pop(SSO_NEXT_KEY, None))
