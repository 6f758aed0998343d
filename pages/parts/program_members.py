"""My program › Members: requests to answer, invitations out, active members, invite a partner.

Every change goes through core.programs (access, version and status are checked there);
``save`` shows a refusal where the form is, so what was chosen stays, or reruns on success.
"""

from __future__ import annotations

import streamlit as st

from core.formatting import escape_markdown
from core.models import PROGRAM_ACTIVE, PROGRAM_REQUESTED, SIDE_PARTNER, SIDE_VENDOR, AccountPublic
from core.programs.answers import approve_request, change_tier, decline_membership, end_membership
from core.programs.listing import Member
from core.programs.memberships import invite_partner
from core.programs.rules import ProgramError
from core.taxonomy import get_taxonomy
from core.teams.complements import partners_named
from pages import get_index_holder
from pages.parts.program_common import key
from pages.parts.saving import save

ERRORS = (ProgramError,)
# The name stays in view while a phone scrolls the other columns sideways.
MEMBER_COLUMNS = {
    "Partner": st.column_config.TextColumn(pinned=True, width=170),
    "Since": st.column_config.DateColumn(format="MMM YYYY"),
}


def member_rows(members: list[Member]) -> list[dict[str, object]]:
    return [
        {
            "Partner": m.partner_name,
            "Tier": m.tier or "—",
            "Since": m.since,
            "Specializations": ", ".join(m.specializations) or "—",
            "Figures shared": m.figures_shared,
        }
        for m in members
    ]


def render_members(account: AccountPublic, vendor: str, members: list[Member]) -> None:
    requests = [
        m for m in members if m.status == PROGRAM_REQUESTED and m.requested_by == SIDE_PARTNER
    ]
    invited = [
        m for m in members if m.status == PROGRAM_REQUESTED and m.requested_by == SIDE_VENDOR
    ]
    active = [m for m in members if m.status == PROGRAM_ACTIVE]
    tiers = list(get_taxonomy().tiers_of(vendor))

    counts = st.columns(3)
    counts[0].metric("Active members", len(active))
    counts[1].metric("Requests to answer", len(requests))
    counts[2].metric("Invitations open", len(invited))

    st.subheader("Requests to join")
    if not requests:
        st.caption("No partner is waiting for an answer.")
    else:
        _answer_requests(account, vendor, requests, tiers)

    st.subheader("Active members")
    if not active:
        st.caption("No active member yet: approve a request or invite a partner below.")
    else:
        st.dataframe(member_rows(active), hide_index=True, column_config=MEMBER_COLUMNS)
        _manage_member(account, vendor, active, tiers)

    st.subheader("Invite a partner")
    _invite(account, vendor, members, tiers)
    if invited:
        st.caption("Invitations the partners have not answered yet")
        st.dataframe(member_rows(invited), hide_index=True, column_config=MEMBER_COLUMNS)


def _answer_requests(
    account: AccountPublic, vendor: str, requests: list[Member], tiers: list[str]
) -> None:
    st.dataframe(
        [
            {"Partner": m.partner_name, "Specializations": ", ".join(m.specializations) or "—"}
            for m in requests
        ],
        hide_index=True,
        width="stretch",
    )
    by_id = {m.membership_id: m for m in requests}
    with st.form(key(vendor, "answer_form")):
        chosen = st.selectbox(
            "Request from",
            list(by_id),
            format_func=lambda i: by_id[i].partner_name,
            key=key(vendor, "answer_pick"),
        )
        tier = st.selectbox("Tier if approved", tiers, key=key(vendor, "answer_tier"))
        left, right = st.columns(2)
        approve = left.form_submit_button("Approve request", type="primary")
        decline = right.form_submit_button("Decline request")
    if chosen is None or not (approve or decline):
        return
    member = by_id[chosen]
    name = escape_markdown(member.partner_name)
    if approve:
        save(
            lambda session: approve_request(
                session=session, actor=account, membership_id=member.membership_id,
                seen_version=member.version, tier=tier,
            ),
            errors=ERRORS,
            done=f"{name} is now a {escape_markdown(tier)} member.",
        )  # fmt: skip
    else:
        save(
            lambda session: decline_membership(
                session=session, actor=account, membership_id=member.membership_id,
                seen_version=member.version,
            ),
            errors=ERRORS,
            done=f"The request of {name} was declined.",
        )  # fmt: skip


def _manage_member(
    account: AccountPublic, vendor: str, active: list[Member], tiers: list[str]
) -> None:
    by_id = {m.membership_id: m for m in active}
    with st.form(key(vendor, "member_form")):
        chosen = st.selectbox(
            "Member",
            list(by_id),
            format_func=lambda i: f"{by_id[i].partner_name} · {by_id[i].tier or 'no tier'}",
            key=key(vendor, "member_pick"),
        )
        tier = st.selectbox("New tier", tiers, key=key(vendor, "member_tier"))
        confirm = st.checkbox(
            "Yes, end this membership (funds, campaign leads and deal registration stop)",
            key=key(vendor, "member_end_confirm"),
        )
        left, right = st.columns(2)
        retier = left.form_submit_button("Change tier", type="primary")
        end = right.form_submit_button("End membership")
    if chosen is None or not (retier or end):
        return
    member = by_id[chosen]
    name = escape_markdown(member.partner_name)
    if retier:
        save(
            lambda session: change_tier(
                session=session, actor=account, membership_id=member.membership_id,
                seen_version=member.version, tier=tier,
            ),
            errors=ERRORS,
            done=f"{name} is now at {escape_markdown(tier)}.",
        )  # fmt: skip
    elif not confirm:
        st.error("Tick the confirmation box to end this membership.")
    else:
        save(
            lambda session: end_membership(
                session=session, actor=account, membership_id=member.membership_id,
                seen_version=member.version,
            ),
            errors=ERRORS,
            done=f"The membership of {name} has ended.",
        )  # fmt: skip


def _invite(account: AccountPublic, vendor: str, members: list[Member], tiers: list[str]) -> None:
    typed = st.text_input(
        "Partner name", key=key(vendor, "invite_name"), placeholder="e.g. Cornerstone Cyber"
    )
    if not typed.strip():
        st.caption("Type part of a partner's name to find it.")
        return
    found = partners_named(get_index_holder().get(), typed)
    if not found:
        st.info("No partner name contains all of these words.")
        return
    labels = {pid: f"{name} · {city}" for pid, name, city in found}
    names = {pid: name for pid, name, _city in found}
    earlier = {m.partner_id: m for m in members}
    with st.form(key(vendor, "invite_form")):
        partner_id = st.selectbox(
            "Partner",
            list(labels),
            format_func=labels.__getitem__,
            key=key(vendor, "invite_pick"),
        )
        offer = st.selectbox(
            "Offer tier",
            ["", *tiers],
            format_func=lambda t: t or f"Entry tier ({tiers[0]})",
            key=key(vendor, "invite_tier"),
        )
        send = st.form_submit_button("Send invitation", type="primary")
    if not send or partner_id is None:
        return
    before = earlier.get(partner_id)  # a declined or ended membership is asked for again
    name = escape_markdown(names[partner_id])
    save(
        lambda session: invite_partner(
            session=session, actor=account, partner_id=partner_id, vendor=vendor,
            tier=offer or None, seen_version=before.version if before else None,
        ),
        errors=ERRORS,
        done=f"Invitation sent to {name}.",
    )  # fmt: skip
