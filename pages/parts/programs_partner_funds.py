"""My programs, section "Funds": request market development funds for a vendor's campaign,
follow the requests, claim approved (or returned) ones with proof of performance.

The vendor picker sits outside the forms: the campaigns offered depend on it, and a form
only reports its widgets when it is submitted. A claim names the version of the request the
partner saw (remember_versions), so a claim on a request the vendor changed meanwhile is
refused rather than sent on top of a change the partner never saw.
"""

from __future__ import annotations

from datetime import date

import streamlit as st
from sqlmodel import Session

from core.access import PermissionDenied
from core.models import (
    FUND_APPROVED,
    FUND_RETURNED,
    AccountPublic,
    CampaignPublic,
    FundRequestPublic,
)
from core.programs.campaigns import list_campaigns
from core.programs.funds import claim_funds, list_funds, request_funds
from core.programs.rules import ProgramError
from pages import get_engine
from pages.parts.programs_partner_common import day, forget, remember_versions
from pages.parts.saving import save

STATUS = {
    "requested": "Requested (vendor to decide)",
    "approved": "Approved: claim when done",
    "rejected": "Rejected",
    "claimed": "Claimed (vendor to pay)",
    "paid": "Paid",
    "returned": "Returned: correct your claim",
}
SEEN = "pp_fund_versions"


def _campaigns(account: AccountPublic, vendors: list[str]) -> dict[int, CampaignPublic]:
    found: dict[int, CampaignPublic] = {}
    with Session(get_engine()) as session:
        for vendor in vendors:
            try:
                listed = list_campaigns(session=session, actor=account, vendor=vendor)
            except PermissionDenied:  # no longer an active member: its campaigns are closed
                continue
            found |= {c.id: c for c in listed}
    return found


def funds_section(*, account: AccountPublic, partner_id: int, active: list[str]) -> None:
    with Session(get_engine()) as session:
        funds = list_funds(session=session, actor=account, partner_id=partner_id)
    campaigns = _campaigns(account, sorted(set(active) | {f.vendor for f in funds}))
    seen = remember_versions(SEEN, {f.id: f.version for f in funds})
    if funds:
        # A static table wraps its cells: every column readable on a desktop and a phone.
        st.table(
            [
                {
                    "Campaign": _campaign_label(f, campaigns),
                    "Activity": f"#{f.id}: {f.activity}",
                    "Status": STATUS.get(f.status, f.status)
                    + (f": {f.decision_note}" if f.decision_note else ""),
                    "Amounts (USD)": _amounts(f),
                }
                for f in funds
            ],
            hide_index=True,
        )
    else:
        st.info("No fund requests yet.")
    left, right = st.columns(2)
    with left:
        _request_form(account, partner_id, active, campaigns)
    with right:
        _claim_form(account, [f for f in funds if f.status in (FUND_APPROVED, FUND_RETURNED)], seen)


def _amounts(fund: FundRequestPublic) -> str:
    steps = [
        ("asked", fund.amount_usd),
        ("approved", fund.approved_usd),
        ("claimed", fund.claim_amount_usd),
        ("paid", fund.paid_usd),
    ]
    return "; ".join(f"{name} {_usd(value)}" for name, value in steps if value is not None)


def _usd(value: float) -> str:
    return f"${value:,.0f}" if value == int(value) else f"${value:,.2f}"


def _campaign_label(fund: FundRequestPublic, campaigns: dict[int, CampaignPublic]) -> str:
    """The campaign's name, led by its vendor unless the name already says it."""
    name = campaigns[fund.campaign_id].name if fund.campaign_id in campaigns else "a campaign"
    return name if name.startswith(fund.vendor) else f"{fund.vendor} · {name}"


def _request_form(
    account: AccountPublic, partner_id: int, active: list[str], campaigns: dict[int, CampaignPublic]
) -> None:
    st.subheader("Request funds")
    if not active:
        st.write("Funds come from the vendors whose programs you are an active member of.")
        return
    vendor = st.selectbox("Vendor", options=active, key="pp_fund_vendor")
    today = date.today()
    running = {
        cid: c
        for cid, c in campaigns.items()
        if c.vendor == vendor and c.starts_on <= today <= c.ends_on
    }
    if not running:
        st.write(f"{vendor} runs no campaign at the moment.")
        return
    with st.form("pp_fund_form"):
        campaign_id = st.selectbox(
            "Campaign",
            options=list(running),
            format_func=lambda i: (
                f"{running[i].name} (until {day(running[i].ends_on)}, "
                f"${running[i].budget_usd - running[i].committed_usd:,.0f} left)"
            ),
            key=f"pp_fund_campaign_{vendor}",
        )
        activity = st.text_area(
            "Activity",
            key="pp_fund_activity",
            help="What you will do with the funds, e.g. a webinar.",
        )
        amount = st.number_input(
            "Amount in USD", min_value=0.0, value=None, step=100.0, key="pp_fund_amount"
        )
        sent = st.form_submit_button("Request funds", type="primary")
    if sent:
        if amount is None:
            st.error("Enter the amount you ask for.")
            return
        save(
            lambda session: request_funds(
                session=session,
                actor=account,
                campaign_id=campaign_id,
                partner_id=partner_id,
                activity=activity,
                amount_usd=amount,
            ),
            errors=(ProgramError,),
            done=lambda f: (
                forget("pp_fund_activity", "pp_fund_amount")
                or f"Requested ${f.amount_usd:,.2f} from {f.vendor}. The vendor decides."
            ),
        )


def _claim_form(
    account: AccountPublic, claimable: list[FundRequestPublic], seen: dict[int, int]
) -> None:
    st.subheader("Claim funds")
    if not claimable:
        st.write("Approved funds can be claimed here once the activity is done.")
        return
    by_id = {f.id: f for f in claimable}
    with st.form("pp_claim_form"):
        fund_id = st.selectbox(
            "Fund request",
            options=list(by_id),
            format_func=lambda i: (
                f"#{i} · {by_id[i].vendor} · {by_id[i].activity[:40]} · "
                f"${by_id[i].approved_usd or 0:,.0f} approved"
            ),
            key="pp_claim_fund",
        )
        description = st.text_area("What was done", key="pp_claim_description")
        amount = st.number_input(
            "Amount spent in USD", min_value=0.0, value=None, step=100.0, key="pp_claim_amount"
        )
        proof = st.file_uploader(
            "Proof of performance (invoice, photos, report)", key="pp_claim_file"
        )
        st.caption(
            "Only the file's name is stored with your claim, not the file: keep the file, "
            "the vendor may ask you for it."
        )
        sent = st.form_submit_button("Submit claim", type="primary")
    if sent:
        if amount is None:
            st.error("Enter the amount you spent.")
            return
        if proof is None:
            st.error("Attach the proof of performance (its file name is stored).")
            return
        version = seen[fund_id]
        claim = {"description": description, "amount_usd": amount, "attachment_name": proof.name}
        save(
            lambda session: claim_funds(
                session=session, actor=account, fund_id=fund_id, seen_version=version, claim=claim
            ),
            errors=(ProgramError,),
            done=lambda f: (
                forget("pp_claim_description", "pp_claim_amount", "pp_claim_file")
                or f"Claimed ${f.claim_amount_usd or 0:,.2f} from {f.vendor}; the vendor pays it "
                "or returns it to you."
            ),
        )
