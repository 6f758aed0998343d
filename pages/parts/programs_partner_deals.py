"""My programs, section "Deal registrations": register an opportunity with a vendor, follow
the registrations and their protection, withdraw one the vendor has not answered yet.

The vendor picker sits outside the form because the product lines offered are that
vendor's; the form keeps what was typed when core refuses it (save() does not rerun then).
"""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st
from sqlmodel import Session

from core.models import DEAL_APPROVED, DEAL_PENDING, AccountPublic, DealRegistrationPublic
from core.programs.deals import list_deals, register_deal, withdraw_deal
from core.programs.rules import ProgramError
from core.taxonomy import get_taxonomy
from pages import get_engine
from pages.parts.programs_partner_common import day, forget, remember_versions
from pages.parts.saving import save

SEEN = "pp_deal_versions"
FIELDS = ("pp_deal_company", "pp_deal_zip", "pp_deal_value", "pp_deal_close")


def _status(deal: DealRegistrationPublic, today: date) -> str:
    if deal.status == DEAL_PENDING:
        return "Pending (vendor to decide)"
    if deal.status == DEAL_APPROVED and deal.protected_until:
        if deal.protected_until >= today:
            return f"Approved: protected until {day(deal.protected_until)}"
        return f"Approved: protection ended {day(deal.protected_until)}"
    return deal.status.capitalize()


def deals_section(*, account: AccountPublic, partner_id: int, active: list[str]) -> None:
    with Session(get_engine()) as session:
        deals = list_deals(session=session, actor=account, partner_id=partner_id)
    seen = remember_versions(SEEN, {d.id: d.version for d in deals})
    today = date.today()
    if deals:
        # A static table wraps its cells: every column readable on a desktop and a phone.
        st.table(
            [
                {
                    "Deal": f"#{d.id} · {d.vendor}",
                    "Customer · product lines": f"{d.customer_company} ({d.zip_code}): "
                    + ", ".join(d.product_lines),
                    "Value · close": f"${d.value_usd:,.0f} · {day(d.expected_close_on)}",
                    "Status": _status(d, today)
                    + (f": {d.decision_note}" if d.decision_note else ""),
                }
                for d in deals
            ],
            hide_index=True,
        )
    else:
        st.info("No deals registered yet.")
    left, right = st.columns(2)
    with left:
        _register_form(account, partner_id, active)
    with right:
        _withdraw_form(account, [d for d in deals if d.status == DEAL_PENDING], seen)


def _register_form(account: AccountPublic, partner_id: int, active: list[str]) -> None:
    st.subheader("Register a deal")
    if not active:
        st.write("You register deals with vendors whose programs you are an active member of.")
        return
    vendor = st.selectbox("Vendor", options=active, key="pp_deal_vendor")
    days = get_taxonomy().deal_protection_days
    st.caption(f"An approved registration protects you with {vendor} for {days} days.")
    with st.form("pp_deal_form"):
        company = st.text_input("Customer company", key="pp_deal_company")
        zip_code = st.text_input("Customer ZIP code", max_chars=5, key="pp_deal_zip")
        lines = st.multiselect(
            "Product lines",
            options=list(get_taxonomy().product_lines_of(vendor)),
            key=f"pp_deal_lines_{vendor}",
        )
        value = st.number_input(
            "Deal value in USD", min_value=0.0, value=None, step=1000.0, key="pp_deal_value"
        )
        close = st.date_input(
            "Expected close",
            value=date.today() + timedelta(days=60),
            min_value=date.today(),
            key="pp_deal_close",
        )
        sent = st.form_submit_button("Register deal", type="primary")
    if sent:
        if value is None:
            st.error("Enter the deal's value in USD.")
            return
        data = {
            "partner_id": partner_id,
            "vendor": vendor,
            "customer_company": company,
            "zip_code": zip_code,
            "product_lines": lines,
            "value_usd": value,
            "expected_close_on": close,
        }
        save(
            lambda session: register_deal(session=session, actor=account, data=data),
            errors=(ProgramError,),
            done=lambda d: (
                forget(*FIELDS, f"pp_deal_lines_{vendor}")
                or f"Registered {d.customer_company} with {d.vendor}. The vendor decides."
            ),
        )


def _withdraw_form(
    account: AccountPublic, pending: list[DealRegistrationPublic], seen: dict[int, int]
) -> None:
    st.subheader("Withdraw a pending deal")
    if not pending:
        st.write("No registration is waiting for a vendor's answer.")
        return
    by_id = {d.id: d for d in pending}
    with st.form("pp_withdraw_form"):
        deal_id = st.selectbox(
            "Deal",
            options=list(by_id),
            format_func=lambda i: f"#{i} · {by_id[i].vendor} · {by_id[i].customer_company}",
            key="pp_withdraw_deal",
        )
        sent = st.form_submit_button("Withdraw deal")
    if sent:
        version, deal = seen[deal_id], by_id[deal_id]
        save(
            lambda session: withdraw_deal(
                session=session, actor=account, deal_id=deal_id, seen_version=version
            ),
            errors=(ProgramError,),
            done=f"Withdrew the registration of {deal.customer_company} with {deal.vendor}.",
        )
