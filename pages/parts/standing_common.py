"""My standing: who the page is for. A partner account sees its own organisation; an
administrator picks a partner by id (to help it, or to check what it sees). Core checks the
viewer again on every read and write."""

from __future__ import annotations

import streamlit as st
from sqlmodel import Session

from core.formatting import escape_markdown
from core.models import ROLE_ADMIN, ROLE_PARTNER, AccountPublic, Partner
from core.taxonomy import get_taxonomy
from pages import get_engine, setup_page


def setup_standing_page() -> tuple[AccountPublic, int]:
    account = setup_page("My standing", "📈", roles=(ROLE_PARTNER, ROLE_ADMIN))
    assert account is not None  # setup_page stops anonymous visitors on a restricted page
    if account.role == ROLE_PARTNER:
        if account.partner_id is None:
            st.error("This account is not linked to a partner organisation. Ask an administrator.")
            st.stop()
        return account, account.partner_id
    picked = st.number_input(
        "Partner ID", min_value=1, value=None, step=1, key="ms_admin_partner",
        help="Administrators: the partner whose standing to show (its id in the directory).",
    )  # fmt: skip
    if picked is None:
        st.info("Enter a partner's ID to see its standing as the partner sees it.")
        st.stop()
    with Session(get_engine()) as session:
        partner = session.get(Partner, int(picked))
        name = partner.name if partner else None
    if name is None:
        st.error(f"There is no partner with ID {int(picked)}.")
        st.stop()
    st.caption(
        f"Standing of **{escape_markdown(name)}** (partner {int(picked)}), as an administrator."
    )
    return account, int(picked)


def level(value: int) -> str:
    return get_taxonomy().level_label(value)


def area(key: str) -> str:
    return get_taxonomy().area_label(key)


def percent(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f} %"
