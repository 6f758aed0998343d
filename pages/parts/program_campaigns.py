"""My program › Campaigns & funds: create a campaign, budgets, and the fund (MDF) queue.

Funds follow the PRM life cycle in core.programs.funds: a request is approved (for an amount)
or rejected (with a note); the vendor may also allocate funds to a member directly; a claim
with proof of performance is paid or returned. Core keeps every campaign within its budget.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pandas as pd
import streamlit as st
from sqlmodel import Session

from core.formatting import escape_markdown
from core.models import (
    FUND_CLAIMED,
    FUND_REQUESTED,
    AccountPublic,
    CampaignPublic,
    FundRequestPublic,
    MaxLength,
)
from core.programs.campaigns import create_campaign
from core.programs.funds import (
    allocate_funds,
    approve_funds,
    list_funds,
    pay_claim,
    reject_funds,
    return_claim,
)
from core.programs.rules import ProgramError
from core.taxonomy import get_taxonomy
from pages import get_engine
from pages.parts.program_common import Program, dollars, key, money
from pages.parts.saving import save

ERRORS = (ProgramError,)


def render_campaigns(account: AccountPublic, program: Program) -> None:
    vendor, campaigns = program.vendor, program.campaigns
    member_names, active = program.names, program.active
    with Session(get_engine()) as session:
        funds = list_funds(session=session, actor=account, vendor=vendor)
    names = {c.id: c.name for c in campaigns}

    st.subheader("Campaigns and budget left")
    if campaigns:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Campaign": c.name,
                        "Key": c.key,
                        "Runs": f"{c.starts_on:%b %d, %Y} – {c.ends_on:%b %d, %Y}",
                        "Budget": c.budget_usd,
                        "Committed": c.committed_usd,
                        "Left": c.budget_usd - c.committed_usd,
                    }
                    for c in campaigns
                ]
            ).style.format(dict.fromkeys(("Budget", "Committed", "Left"), dollars)),
            hide_index=True,
            column_config={
                "Campaign": st.column_config.TextColumn(pinned=True, width=220),
                "Committed": st.column_config.NumberColumn(
                    help="Held by approved, claimed and paid funds"
                ),
            },
            key=key(vendor, "campaigns"),
        )
    else:
        st.caption("No campaign yet.")
    with st.expander("Create a campaign", expanded=not campaigns):
        _create_form(account, vendor)

    def who(fund: FundRequestPublic) -> str:
        return member_names.get(fund.partner_id, f"Partner #{fund.partner_id}")

    st.subheader("Fund requests to answer")
    requested = [f for f in funds if f.status == FUND_REQUESTED]
    if not requested:
        st.caption("No fund request is waiting.")
    else:
        _fund_table(requested, names, who)
        _answer_requests(account, vendor, requested, names, who)

    st.subheader("Claims to pay")
    claimed = [f for f in funds if f.status == FUND_CLAIMED]
    if not claimed:
        st.caption("No claim is waiting.")
    else:
        _fund_table(claimed, names, who, claims=True)
        _answer_claims(account, vendor, claimed, who)

    st.subheader("Allocate funds to a member")
    if not campaigns or not active:
        st.caption("Allocating needs a campaign and at least one active member.")
    else:
        _allocate_form(account, vendor, campaigns, member_names, active)

    with st.expander(f"Every fund of the program ({len(funds)})"):
        _fund_table(funds, names, who, claims=True, status=True)


def _create_form(account: AccountPublic, vendor: str) -> None:
    taxonomy = get_taxonomy()
    regions = {r.key: r.label for r in taxonomy.regions}
    needs = {a.key: a.label for a in taxonomy.areas}
    sizes = {s.key: s.label for s in taxonomy.segments}
    today = date.today()
    with st.form(key(vendor, "campaign_form")):
        left, right = st.columns(2)
        name = left.text_input("Name", max_chars=MaxLength.CAMPAIGN_NAME, key=key(vendor, "c_name"))
        campaign_key = right.text_input(
            "Key (for imports and links)", max_chars=40, placeholder="e.g. spring-security-26",
            key=key(vendor, "c_key"),
        )  # fmt: skip
        chosen_regions = st.multiselect(
            "Regions", list(regions), format_func=regions.__getitem__, key=key(vendor, "c_regions")
        )
        chosen_needs = st.multiselect(
            "Target needs", list(needs), format_func=needs.__getitem__, key=key(vendor, "c_needs")
        )
        chosen_sizes = st.multiselect(
            "Target company sizes", list(sizes), format_func=sizes.__getitem__,
            key=key(vendor, "c_sizes"),
        )  # fmt: skip
        budget = st.number_input(
            "Budget (USD)", min_value=0.0, value=None, step=1000.0, key=key(vendor, "c_budget")
        )
        start, end = st.columns(2)
        starts_on = start.date_input("Starts on", value=today, key=key(vendor, "c_start"))
        ends_on = end.date_input(
            "Ends on", value=today + timedelta(days=90), key=key(vendor, "c_end")
        )
        submitted = st.form_submit_button("Create campaign", type="primary")
    if not submitted:
        return
    if budget is None:
        st.error("Enter the campaign's budget in USD.")
        return
    data = {
        "vendor": vendor, "key": campaign_key, "name": name, "regions": chosen_regions,
        "target_needs": chosen_needs, "target_sizes": chosen_sizes, "budget_usd": budget,
        "starts_on": starts_on, "ends_on": ends_on,
    }  # fmt: skip
    save(
        lambda session: create_campaign(session=session, actor=account, data=data),
        errors=ERRORS,
        done=lambda c: f"Campaign “{escape_markdown(c.name)}” created with {money(c.budget_usd)}.",
    )


def _fund_table(
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


def _answer_requests(
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


def _answer_claims(
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


def _allocate_form(
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
