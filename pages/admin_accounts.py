"""Accounts (administrators): list, create, edit, (de)activate, unlock, reset passwords."""

from __future__ import annotations

import streamlit as st
from sqlmodel import Session

from core.accounts.admin import (
    list_accounts,
    reset_password,
    set_account_active,
    set_sign_on_email,
    unlock_account,
    update_account,
)
from core.accounts.errors import AccountError
from core.accounts.passwords import MIN_PASSWORD_LENGTH
from core.accounts.records import create_account
from core.models import (
    ROLE_ADMIN,
    ROLE_PARTNER,
    ROLE_VENDOR,
    ROLES,
    AccountEmail,
    MaxLength,
    utc_now,
)
from core.taxonomy import get_taxonomy
from pages import ROLE_LABELS, current_session_id, get_engine, setup_page
from pages.parts.saving import save, show_saved

account = setup_page("Accounts", "👥", roles=(ROLE_ADMIN,))
assert account is not None
REGIONS = {r.key: r.label for r in get_taxonomy().regions}
ERRORS = (AccountError,)  # shown under the form, as PermissionDenied

show_saved()

c1, c2 = st.columns([1, 2])
role_filter = c1.selectbox(
    "Show role",
    options=["", *ROLES],
    format_func=lambda r: ROLE_LABELS.get(r, "All roles"),
    key="accounts_role",
)
text_filter = c2.text_input("Search username, name, vendor or partner", key="accounts_search")
with Session(get_engine()) as session:
    accounts = list_accounts(
        session=session, actor=account, role=role_filter or None, text=text_filter
    )
now = utc_now()
st.dataframe(
    [
        {
            "Id": a.id,
            "Username": a.username,
            "Name": a.display_name,
            "Role": ROLE_LABELS[a.role],
            "Partner": f"#{a.partner_id} {a.partner_name or ''}" if a.partner_id else "",
            "Vendor": a.vendor_name or "",
            "Regions": ", ".join(REGIONS.get(r, r) for r in a.regions),
            "Active": a.is_active,
            "Locked": bool(a.locked_until and a.locked_until > now),
            "Last sign-in": a.last_sign_in_at,
        }
        for a in accounts
    ],
    hide_index=True,
)

tab_create, tab_manage = st.tabs(["Create an account", "Manage an account"])

with tab_create, st.form("create_account_form", clear_on_submit=False):
    c1, c2 = st.columns(2)
    username = c1.text_input("Username", max_chars=MaxLength.USERNAME, key="new_username")
    display_name = c2.text_input(
        "Display name", max_chars=MaxLength.DISPLAY_NAME, key="new_display"
    )
    role = c1.selectbox("Role", options=list(ROLES), format_func=ROLE_LABELS.get, key="new_role")
    password = c2.text_input(
        "Initial password",
        type="password",
        key="new_password",
        help=f"At least {MIN_PASSWORD_LENGTH} characters; tell the user to change it.",
    )
    st.caption(
        "Partner accounts: the partner organisation's id. Vendor accounts: name and regions."
    )
    c1, c2, c3 = st.columns(3)
    partner_id = c1.number_input("Partner id", min_value=1, value=None, step=1, key="new_partner")
    vendor_name = c2.text_input("Vendor name", max_chars=MaxLength.VENDOR_NAME, key="new_vendor")
    regions = c3.multiselect(
        "Sales regions", options=list(REGIONS), format_func=REGIONS.get, key="new_regions"
    )
    create = st.form_submit_button("Create account", type="primary")
if create:
    save(
        lambda session: create_account(
            session=session,
            actor=account,
            username=username,
            password=password,
            role=role,
            partner_id=int(partner_id) if role == ROLE_PARTNER and partner_id else None,
            vendor_name=vendor_name if role == ROLE_VENDOR else None,
            regions=regions if role == ROLE_VENDOR else (),
            display_name=display_name,
        ),
        errors=ERRORS,
        done=f"Account {username.strip().lower()} created.",
    )

with tab_manage:
    if not accounts:
        st.write("No account matches the filter.")
    else:
        by_id = {a.id: a for a in accounts}
        chosen_id = st.selectbox(
            "Account",
            options=list(by_id),
            format_func=lambda i: f"{by_id[i].username} ({ROLE_LABELS[by_id[i].role]})",
            key="manage_account",
        )
        chosen = by_id[chosen_id]
        c1, c2, c3 = st.columns(3)
        if chosen.is_active:
            if c1.button("Deactivate", key="deactivate", disabled=chosen.id == account.id):
                save(
                    lambda s: set_account_active(
                        session=s, actor=account, account_id=chosen.id, active=False
                    ),
                    errors=ERRORS,
                    done=f"{chosen.username} is deactivated.",
                )
        elif c1.button("Reactivate", key="reactivate"):
            save(
                lambda s: set_account_active(
                    session=s, actor=account, account_id=chosen.id, active=True
                ),
                errors=ERRORS,
                done=f"{chosen.username} is active again.",
            )
        if c2.button("Unlock", key="unlock", disabled=not chosen.locked_until):
            save(
                lambda s: unlock_account(session=s, actor=account, account_id=chosen.id),
                errors=ERRORS,
                done=f"{chosen.username} is unlocked.",
            )
        with st.form("edit_account_form"):
            new_display = st.text_input(
                "Display name", value=chosen.display_name, max_chars=MaxLength.DISPLAY_NAME
            )
            new_partner = new_vendor = new_regions = None
            if chosen.role == ROLE_PARTNER:
                new_partner = st.number_input(
                    "Partner id", min_value=1, value=chosen.partner_id or 1, step=1
                )
            if chosen.role == ROLE_VENDOR:
                new_vendor = st.text_input("Vendor name", value=chosen.vendor_name or "")
                new_regions = st.multiselect(
                    "Sales regions",
                    options=list(REGIONS),
                    default=[r for r in chosen.regions if r in REGIONS],
                    format_func=REGIONS.get,
                )
            save = st.form_submit_button("Save details")
        if save:
            save(
                lambda s: update_account(
                    session=s,
                    actor=account,
                    account_id=chosen.id,
                    display_name=new_display,
                    partner_id=int(new_partner) if new_partner is not None else None,
                    vendor_name=new_vendor,
                    regions=new_regions,
                ),
                errors=ERRORS,
                done=f"{chosen.username} is updated.",
            )
        with st.form("reset_password_form", clear_on_submit=True):
            new_password = st.text_input("New password", type="password", key="reset_pw")
            reset = st.form_submit_button("Set new password")
        if reset:

            def password_reset(_: object) -> str:
                return (
                    f"The password of {chosen.username} is changed; "
                    "any session signed in with the old one is ended."
                )

            save(
                lambda s: reset_password(
                    session=s,
                    actor=account,
                    account_id=chosen.id,
                    new_password=new_password,
                    keep_session_id=current_session_id(),  # kept only for one's own account
                ),
                errors=ERRORS,
                done=password_reset,
            )
        if chosen.role in (ROLE_ADMIN, ROLE_VENDOR):
            with Session(get_engine()) as session:
                stored = session.get(AccountEmail, chosen.id)
            with st.form("sign_on_email_form"):
                sign_on_email = st.text_input(
                    "Single sign-on email",
                    value=stored.email if stored else "",
                    max_chars=MaxLength.EMAIL,
                    key="sign_on_email",
                    help="The email the organisation's single sign-on provider confirms for "
                    "this person. Leave empty: no single sign-on.",
                )
                set_email = st.form_submit_button("Save single sign-on email")
            if set_email:
                save(
                    lambda s: set_sign_on_email(
                        session=s, actor=account, account_id=chosen.id, email=sign_on_email
                    ),
                    errors=ERRORS,
                    done=f"The single sign-on email of {chosen.username} is saved.",
                )
