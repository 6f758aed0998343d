"""My program › Campaigns & funds: the fund (MDF) tables and forms — answer a request
(approve an amount / reject with a note), pay or return a claim, allocate funds to a member.
Core (core.programs.funds) keeps every campaign within its budget and checks each change."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from core.formatting import escape_markdown
from core.models import AccountPublic, CampaignPublic, FundRequestPublic, MaxLength
from core.programs.funds import (
    allocate_funds,
    approve_funds,
    pay_claim,
    reject_funds,
    return_claim,
)
from core.programs.rules import ProgramError
from pages.parts.program_common import dollars, key, money
from pages.parts.saving import save

ERRORS = (ProgramError,)


def fund_table(
    funds: list[FundRequestPublic],
    names: dict[int, str],
    who: Callable[[FundRequestPublic], str],
    *,
    claims: bool = False,
    status: bool = False,
) -> None:
    rows = []
    for f in funds:
        # Amounts before the free text, so they stay in view on a narrow screen.
        row: dict[str, object] = {
            "Partner": who(f),
            "Asked": f.amount_usd,
            "Approved": f.approved_usd,
        }
        if claims:
            row["Claimed"] = f.claim_amount_usd
        if status:
            row |= {"Status": f.status, "Paid": f.paid_usd}
        row |= {"Campaign": names.get(f.campaign_id, f"#{f.campaign_id}"), "Activity": f.activity}
        if claims:
            row |= {"Proof": f.claim_description or "", "Attachment": f.claim_attachment or ""}
        if status:
            row["Note"] = f.decision_note
        rows.append(row)
    amounts = [c for c in ("Asked", "Approved", "Claimed", "Paid") if rows and c in rows[0]]
    st.dataframe(
        pd.DataFrame(rows).style.format(dict.fromkeys(amounts, dollars)),
        hide_index=True,
        column_config={"Partner": st.column_config.TextColumn(pinned=True, width=180)},
    )


def answer_requests(
    account: AccountPublic,
    vendor: str,
    requested: list[FundRequestPublic],
    names: dict[int, str],
    who: Callable[[FundRequestPublic], str],
) -> None:
    by_id = {f.id: f for f in requested}
    with st.form(key(vendor, "fund_answer_form")):
        chosen = st.selectbox(
            "Request",
            list(by_id),
            format_func=lambda i: (
                f"{who(by_id[i])} · {names.get(by_id[i].campaign_id, '')} · "
                f"{money(by_id[i].amount_usd)}"
            ),
            key=key(vendor, "fund_pick"),
        )
        amount = st.number_input(
            "Approve amount (USD; empty: the amount asked)", min_value=0.0, value=None,
            step=100.0, key=key(vendor, "fund_amount"),
        )  # fmt: skip
        note = st.text_input(
            "Note (required to reject)", max_chars=MaxLength.NOTE, key=key(vendor, "fund_note")
        )
        left, right = st.columns(2)
        approve = left.form_submit_button("Approve funds", type="primary")
        reject = right.form_submit_button("Reject request")
    if chosen is None or not (approve or reject):
        return
    fund = by_id[chosen]
    if approve:
        save(
            lambda session: approve_funds(
                session=session, actor=account, fund_id=fund.id, seen_version=fund.version,
                amount_usd=amount, note=note,
            ),
            errors=ERRORS,
            done=lambda f: f"Approved {money(f.approved_usd)} for {escape_markdown(who(f))}.",
        )  # fmt: skip
    else:
        save(
            lambda session: reject_funds(
                session=session, actor=account, fund_id=fund.id, seen_version=fund.version,
                note=note,
            ),
            errors=ERRORS,
            done=lambda f: f"The request of {escape_markdown(who(f))} was rejected.",
        )  # fmt: skip


def answer_claims(
    account: AccountPublic,
    vendor: str,
    claimed: list[FundRequestPublic],
    who: Callable[[FundRequestPublic], str],
) -> None:
    by_id = {f.id: f for f in claimed}
    with st.form(key(vendor, "claim_form")):
        chosen = st.selectbox(
            "Claim",
            list(by_id),
            format_func=lambda i: f"{who(by_id[i])} · {money(by_id[i].claim_amount_usd)}",
            key=key(vendor, "claim_pick"),
        )
        note = st.text_input(
            "Note (required to return)", max_chars=MaxLength.NOTE, key=key(vendor, "claim_note")
        )
        left, right = st.columns(2)
        pay = left.form_submit_button("Pay claim", type="primary")
        send_back = right.form_submit_button("Return to partner")
    if chosen is None or not (pay or send_back):
        return
    fund = by_id[chosen]
    if pay:
        save(
            lambda session: pay_claim(
                session=session, actor=account, fund_id=fund.id, seen_version=fund.version
            ),
            errors=ERRORS,
            done=lambda f: f"Paid {money(f.paid_usd)} to {escape_markdown(who(f))}.",
        )
    else:
        save(
            lambda session: return_claim(
                session=session, actor=account, fund_id=fund.id, seen_version=fund.version,
                note=note,
            ),
            errors=ERRORS,
            done=lambda f: f"The claim of {escape_markdown(who(f))} was returned.",
        )  # fmt: skip


def allocate_form(
    account: AccountPublic,
    vendor: str,
    campaigns: list[CampaignPublic],
    member_names: dict[int, str],
    active: list[int],
) -> None:
    by_id = {c.id: c for c in campaigns}
    with st.form(key(vendor, "allocate_form")):
        campaign_id = st.selectbox(
            "Campaign",
            list(by_id),
            format_func=lambda i: (
                f"{by_id[i].name} · {money(by_id[i].budget_usd - by_id[i].committed_usd)} left"
            ),
            key=key(vendor, "alloc_campaign"),
        )
        partner_id = st.selectbox(
            "Member", active, format_func=member_names.__getitem__, key=key(vendor, "alloc_member")
        )
        activity = st.text_input(
            "Activity", max_chars=MaxLength.NOTE, placeholder="e.g. Security webinar series",
            key=key(vendor, "alloc_activity"),
        )  # fmt: skip
        amount = st.number_input(
            "Amount (USD)", min_value=0.0, value=None, step=100.0, key=key(vendor, "alloc_amount")
        )
        submitted = st.form_submit_button("Allocate funds", type="primary")
    if not submitted or campaign_id is None or partner_id is None:
        return
    if amount is None:
        st.error("Enter the amount to allocate in USD.")
        return
    save(
        lambda session: allocate_funds(
            session=session, actor=account, campaign_id=campaign_id, partner_id=partner_id,
            activity=activity, amount_usd=amount,
        ),
        errors=ERRORS,
        done=lambda f: f"Allocated {money(f.approved_usd)} to "
        f"{escape_markdown(member_names[partner_id])}.",
    )  # fmt: skip
