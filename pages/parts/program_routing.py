"""My program › Routing: per campaign, the rules that offer its leads to members, the offers'
outcomes, and every routing step (who was offered, who answered, why nobody qualified).

The form keeps what was typed when core refuses it. It remembers the version of the rules it
was filled from, so a save over someone else's newer rules is refused (compare-and-swap in
core.routing.rules) and the vendor can load the current rules.
"""

from __future__ import annotations

from typing import Any

import streamlit as st
from sqlmodel import Session

from core.models import ROUTING_FAIRNESS, AccountPublic, CampaignRouting, CampaignRoutingUpdate
from core.programs.rules import ProgramError, StaleVersion
from core.routing.history import campaign_routing_history, offer_counts
from core.routing.rules import get_routing, routing_switches, save_routing
from core.taxonomy import MAX_LEVEL, get_taxonomy
from pages import get_engine
from pages.parts.program_common import Program, key
from pages.parts.saving import save

FAIRNESS_LABELS = {
    "round_robin": "Round robin (the member offered a lead longest ago)",
    "weighted_tier": "Weighted by tier (higher tiers get more, in proportion to tier rank)",
}
STEP_LABELS = {
    "offered": "Offered",
    "accepted": "Accepted",
    "declined": "Declined",
    "expired": "Expired",
    "no_candidate": "Nobody qualifies",
    "cooling": "Cooling off",
    "withdrawn": "Withdrawn (you assigned the lead)",
}
FIELDS = tuple(CampaignRoutingUpdate.model_fields)
STATUSES = ("open", "accepted", "declined", "expired")


def render_routing(account: AccountPublic, program: Program) -> None:
    vendor, campaigns = program.vendor, program.campaigns
    st.caption(
        "Leads of a campaign with routing on are offered to one member at a time: within the "
        "radius of the customer's ZIP, competent in every need, of the chosen tiers, below "
        "the cap of open offers. A decline or an expired deadline passes the lead on."
    )
    if not campaigns:
        st.caption("No campaign yet: create one under Campaigns & funds.")
        return
    with Session(get_engine()) as session:
        counts = offer_counts(session=session, actor=account, vendor=vendor)
        switches = routing_switches(session=session, actor=account, vendor=vendor)
    st.dataframe(
        [
            {
                "Campaign": c.name,
                "Routing": {True: "on", False: "off"}.get(switches.get(c.id), "not set"),
                **{s.title(): counts.get(c.id, {}).get(s, 0) for s in STATUSES},
            }
            for c in campaigns
        ],
        hide_index=True,
        key=key(vendor, "routing_counts"),
    )
    names = {c.id: c.name for c in campaigns}
    ids = list(names)
    routed = [i for i in ids if i in switches]
    campaign_id = st.selectbox(
        "Campaign", ids, index=ids.index(routed[0]) if routed else 0,
        format_func=names.__getitem__, key=key(vendor, "routing_campaign"),
    )  # fmt: skip
    if campaign_id is None:
        return
    with Session(get_engine()) as session:
        rules = get_routing(session=session, actor=account, campaign_id=campaign_id)
    _rules_form(account, vendor, campaign_id, rules)
    _history(account, vendor, campaign_id)


def _prefix(vendor: str, campaign_id: int) -> str:
    return key(vendor, f"rt{campaign_id}_")


def _load(prefix: str, rules: CampaignRouting | None) -> None:
    """Fill the form from the stored rules once; later runs keep what was typed."""
    if prefix + "seen" in st.session_state:
        return
    values = (rules or CampaignRouting(campaign_id=0, enabled=True)).model_dump()
    for name in FIELDS:
        st.session_state[prefix + name] = values[name]
    st.session_state[prefix + "seen"] = rules.version if rules is not None else None


def _forget(prefix: str) -> None:
    for name in (*FIELDS, "seen"):
        st.session_state.pop(prefix + name, None)


def _rules_form(
    account: AccountPublic, vendor: str, campaign_id: int, rules: CampaignRouting | None
) -> None:
    prefix = _prefix(vendor, campaign_id)
    _load(prefix, rules)
    st.subheader("Routing rules")
    if rules is None:
        st.caption("This campaign is not routed yet: its leads wait for you to assign them.")
    levels = get_taxonomy().level_labels(at_least=1)
    with st.form(prefix + "form"):
        st.checkbox("Routing on", key=prefix + "enabled")
        left, right = st.columns(2)
        left.number_input("Radius (km)", min_value=1.0, max_value=5000.0, key=prefix + "radius_km")
        right.number_input(
            "Hours to accept", min_value=1, max_value=720, key=prefix + "accept_hours"
        )
        left.selectbox(
            "Minimum level", list(range(1, MAX_LEVEL + 1)), format_func=levels.__getitem__,
            key=prefix + "min_level",
        )  # fmt: skip
        right.number_input(
            "Open offers per member", min_value=1, max_value=1000, key=prefix + "max_open_offers"
        )
        st.checkbox(
            "Evidence only (approved certifications, not claims)", key=prefix + "evidence_only"
        )
        st.multiselect(
            "Tiers (none: any tier)", list(get_taxonomy().tiers_of(vendor)), key=prefix + "tiers"
        )
        st.selectbox(
            "Fairness", list(ROUTING_FAIRNESS), format_func=FAIRNESS_LABELS.__getitem__,
            key=prefix + "fairness",
        )  # fmt: skip
        submitted = st.form_submit_button("Save routing rules", type="primary")
    if submitted:
        _submit(account, campaign_id, prefix)
    if st.session_state.get(prefix + "stale") and st.button(
        "Load the current rules", key=prefix + "reload"
    ):
        st.session_state.pop(prefix + "stale", None)
        _forget(prefix)
        st.rerun()


def _submit(account: AccountPublic, campaign_id: int, prefix: str) -> None:
    data: dict[str, Any] = {name: st.session_state[prefix + name] for name in FIELDS}
    seen = st.session_state.get(prefix + "seen")

    def write(session: Session) -> CampaignRouting:
        try:
            return save_routing(
                session=session, actor=account, campaign_id=campaign_id, data=data,
                seen_version=seen,
            )  # fmt: skip
        except StaleVersion:
            st.session_state[prefix + "stale"] = True
            raise

    save(write, errors=(ProgramError,), done=lambda _: _saved(prefix))


def _saved(prefix: str) -> str:
    _forget(prefix)
    st.session_state.pop(prefix + "stale", None)
    return "Routing rules saved."


def _history(account: AccountPublic, vendor: str, campaign_id: int) -> None:
    st.subheader("Routing history")
    with Session(get_engine()) as session:
        steps = campaign_routing_history(session=session, actor=account, campaign_id=campaign_id)
    if not steps:
        st.caption("No lead of this campaign has been routed yet.")
        return
    st.dataframe(
        [
            {
                "When": step.at,
                "Lead": step.lead_id,
                "Step": STEP_LABELS.get(step.kind, step.kind),
                "Member": step.partner_name,
                "Detail": step.detail,
            }
            for step in steps
        ],
        hide_index=True,
        column_config={
            "When": st.column_config.DatetimeColumn("When (UTC)", format="MMM D, YYYY h:mm a"),
            "Lead": st.column_config.NumberColumn(format="%d"),
        },
        key=key(vendor, f"routing_history_{campaign_id}"),
    )
