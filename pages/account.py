"""My account: who I am, password change, sign out."""

from __future__ import annotations

import streamlit as st
from sqlmodel import Session

from core.accounts.errors import AccountError
from core.accounts.passwords import MIN_PASSWORD_LENGTH
from core.accounts.records import change_password
from core.models import ROLE_ADMIN, ROLE_PARTNER, ROLE_VENDOR, Partner
from core.taxonomy import get_taxonomy
from pages import ROLE_LABELS, current_session_id, get_engine, setup_page, sign_out
from pages.parts.saving import save, show_saved

account = setup_page("My account", "👤", roles=(ROLE_ADMIN, ROLE_VENDOR, ROLE_PARTNER))
assert account is not None  # setup_page stops the page for anonymous visitors

details = {"Username": account.username, "Role": ROLE_LABELS[account.role]}
if account.display_name:
    details["Name"] = account.display_name
if account.role == ROLE_VENDOR:
    labels = {r.key: r.label for r in get_taxonomy().regions}
    details["Vendor"] = account.vendor_name or ""
    details["Sales regions"] = ", ".join(labels.get(r, r) for r in account.regions)
if account.role == ROLE_PARTNER and account.partner_id is not None:
    with Session(get_engine()) as session:
        partner = session.get(Partner, account.partner_id)
        details["Partner organisation"] = partner.name if partner else "(missing)"
st.dataframe(
    [{"": key, "value": value} for key, value in details.items()],
    hide_index=True,
)


def password_changed(_: object) -> str:
    return "Your password was changed. Sessions on other devices are signed out."


st.subheader("Change password")
with st.form("change_password_form", clear_on_submit=True):
    current = st.text_input("Current password", type="password", key="pw_current")
    new = st.text_input(
        "New password",
        type="password",
        key="pw_new",
        help=f"At least {MIN_PASSWORD_LENGTH} characters.",
    )
    repeat = st.text_input("New password again", type="password", key="pw_repeat")
    change = st.form_submit_button("Change password")
if change:
    if new != repeat:
        st.error("The two new passwords differ.")
    else:
        save(
            lambda session: change_password(
                session=session,
                actor=account,
                current_password=current,
                new_password=new,
                keep_session_id=current_session_id(),  # this browser made the change
            ),
            errors=(AccountError,),
            done=password_changed,
        )
show_saved()

st.subheader("Sign out")
left, right = st.columns(2)
if left.button("Sign out", key="account_sign_out"):
    sign_out()
    st.rerun()
if right.button(
    "Sign out everywhere",
    key="account_sign_out_everywhere",
    help="Ends every session of your account: other tabs, browsers and devices.",
):
    sign_out(everywhere=True)
    st.rerun()
