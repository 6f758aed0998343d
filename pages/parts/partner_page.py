"""The start of a page a partner uses to look after its own organisation."""

from __future__ import annotations

import streamlit as st

from core.models import ROLE_PARTNER, AccountPublic
from pages import setup_page


def setup_partner_page(title: str, icon: str) -> tuple[AccountPublic, int]:
    """``setup_page`` for partners only, plus the partner the account belongs to.

    An account without a partner gets a message and the page stops before any data is read.
    """
    account = setup_page(title, icon, roles=(ROLE_PARTNER,))
    assert account is not None  # setup_page stops anonymous visitors on a restricted page
    if account.partner_id is None:
        st.error("This account is not linked to a partner organisation. Ask an administrator.")
        st.stop()
    return account, account.partner_id
