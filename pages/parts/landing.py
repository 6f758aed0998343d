"""Where a sign-in lands: a partner on My standing (its reason to keep its profile honest
and current); everyone else stays where they signed in, their screens in the sidebar."""

from __future__ import annotations

import streamlit as st

from core.models import ROLE_PARTNER, AccountPublic
from pages import remember_sign_in


def remember_and_land(account: AccountPublic) -> None:
    """``remember_sign_in``, then a partner goes to My standing (switch_page ends the run)."""
    remember_sign_in(account)
    if account.role == ROLE_PARTNER:
        st.switch_page("pages/my_standing.py")
