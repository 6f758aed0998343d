"""My program › Campaigns & funds: create a campaign, budgets, and the fund (MDF) queue
(its tables and forms are in program_funds).

Funds follow the PRM life cycle in core.programs.funds: a request is approved (for an amount)
or rejected (with a note); the vendor may also allocate funds to a member directly; a claim
with proof of performance is paid or returned. Core keeps every campaign within its budget.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st
from sqlmodel import Session

from core.formatting import escape_markdown
from core.models import (
    FUND_CLAIMED,
    FUND_REQUESTED,
    AccountPublic,
    FundRequestPublic,
    MaxLength,
)
from core.programs.campaigns import create_campaign
from core.programs.funds import list_funds
from core.programs.rules import ProgramError
from core.taxonomy import get_taxonomy
from pages import get_engine
from pages.parts.program_common import Program, dollars, key, money
from pages.parts.program_funds import allocate_form, answer_claims, answer_requests, fund_table
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
        fund_table(requested, names, who)
        answer_requests(account, vendor, requested, names, who)

    st.subheader("Claims to pay")
    claimed = [f for f in funds if f.status == FUND_CLAIMED]
    if not claimed:
        st.caption("No claim is waiting.")
    else:
        fund_table(claimed, names, who, claims=True)
        answer_claims(account, vendor, claimed, who)

    st.subheader("Allocate funds to a member")
    if not campaigns or not active:
        st.caption("Allocating needs a campaign and at least one active member.")
    else:
        allocate_form(account, vendor, campaigns, member_names, active)

    with st.expander(f"Every fund of the program ({len(funds)})"):
        fund_table(funds, names, who, claims=True, status=True)


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
