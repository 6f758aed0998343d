"""My programs, section "Memberships": the partner's programs, applying, invitations, ending.

Every button names the membership version the partner saw, so an answer to a membership
the vendor changed meanwhile is refused (StaleVersion) instead of overriding the vendor.
"""

from __future__ import annotations

import streamlit as st

from core.formatting import escape_markdown
from core.models import (
    PROGRAM_ACTIVE,
    PROGRAM_REQUESTED,
    SIDE_PARTNER,
    SIDE_VENDOR,
    AccountPublic,
)
from core.programs.answers import accept_invitation, decline_membership, end_membership
from core.programs.listing import PartnerProgram
from core.programs.memberships import request_membership
from core.programs.rules import REOPENABLE, ProgramError
from core.taxonomy import get_taxonomy
from pages.parts.programs_partner_common import forget, status_label, versions_seen
from pages.parts.saving import save


def memberships_section(
    *, account: AccountPublic, partner_id: int, programs: list[PartnerProgram]
) -> None:
    members = [p for p in programs if p.status is not None]
    seen = versions_seen(programs)
    if members:
        # A static table wraps its cells, so every column stays readable on a phone.
        st.table(
            [
                {"Vendor": p.vendor, "Tier": p.tier or "", "Status": status_label(p)}
                for p in members
            ],
            hide_index=True,
        )
    else:
        st.info("You are not in any vendor's program yet. Apply to one below.")
    _invitations(account, members, seen)
    left, right = st.columns(2)
    with left:
        _apply_form(account, partner_id, programs, seen)
    with right:
        _end_form(account, members, seen)


def _invitations(
    account: AccountPublic, members: list[PartnerProgram], seen: dict[int, int]
) -> None:
    invited = [
        p for p in members if p.status == PROGRAM_REQUESTED and p.requested_by == SIDE_VENDOR
    ]
    if not invited:
        return
    st.subheader("Invitations")
    for p in invited:
        assert p.membership_id is not None  # a membership row
        _invitation(account, p, seen[p.membership_id])


def _invitation(account: AccountPublic, p: PartnerProgram, version: int) -> None:
    mid = p.membership_id or 0
    with st.container(border=True):
        offered = f" at **{escape_markdown(p.tier)}**" if p.tier else ""
        st.markdown(f"**{escape_markdown(p.vendor)}** invites you to its program{offered}.")
        accept, decline, _ = st.columns([1, 1, 4])
        if accept.button("Accept", key=f"pp_accept_{mid}", type="primary"):
            save(
                lambda session: accept_invitation(
                    session=session, actor=account, membership_id=mid, seen_version=version
                ),
                errors=(ProgramError,),
                done=lambda m: f"You are now a {m.tier} member of {m.vendor}'s program.",
            )
        if decline.button("Decline", key=f"pp_decline_{mid}"):
            save(
                lambda session: decline_membership(
                    session=session, actor=account, membership_id=mid, seen_version=version
                ),
                errors=(ProgramError,),
                done=f"You declined {p.vendor}'s invitation.",
            )


def _apply_form(
    account: AccountPublic, partner_id: int, programs: list[PartnerProgram], seen: dict[int, int]
) -> None:
    st.subheader("Apply to a program")
    by_vendor = {p.vendor: p for p in programs}
    # A vendor with no membership, or one declined or ended, may be asked (again).
    open_to = [
        v
        for v in get_taxonomy().vendors
        if v not in by_vendor or by_vendor[v].status in (None, *REOPENABLE)
    ]
    if not open_to:
        st.write("You have a membership or a request with every vendor.")
        return
    with st.form("pp_apply_form"):
        vendor = st.selectbox(
            "Vendor",
            options=open_to,
            index=None,
            placeholder="Choose a vendor",
            key="pp_apply_vendor",
            help="Vendors of the certification catalogue. The vendor approves your application.",
        )
        applied = st.form_submit_button("Apply", type="primary")
    if applied:
        if vendor is None:
            st.error("Choose the vendor whose program you want to join.")
            return
        earlier = by_vendor.get(vendor)
        version = seen.get(earlier.membership_id or 0) if earlier else None
        save(
            lambda session: request_membership(
                session=session,
                actor=account,
                partner_id=partner_id,
                vendor=vendor,
                seen_version=version,
            ),
            errors=(ProgramError,),
            done=lambda _: (
                forget("pp_apply_vendor")
                or f"You applied to {vendor}'s program. {vendor} answers your request."
            ),
        )


def _end_form(account: AccountPublic, members: list[PartnerProgram], seen: dict[int, int]) -> None:
    st.subheader("End or withdraw")
    endable = {
        p.membership_id: p
        for p in members
        if p.membership_id is not None
        and (
            p.status == PROGRAM_ACTIVE
            or (p.status == PROGRAM_REQUESTED and p.requested_by == SIDE_PARTNER)
        )
    }
    if not endable:
        st.write("Nothing to end: no active membership and no open application.")
        return
    with st.form("pp_end_form"):
        chosen = st.selectbox(
            "Membership",
            options=list(endable),
            format_func=lambda i: f"{endable[i].vendor} · {status_label(endable[i])}",
            index=None,
            placeholder="Choose a membership",
            key="pp_end_choice",
        )
        sure = st.checkbox(
            "Yes, end it: the vendor stops seeing my program data and figures.",
            key="pp_end_sure",
        )
        ended = st.form_submit_button("End membership / withdraw request")
    if ended:
        if chosen is None:
            st.error("Choose the membership to end.")
            return
        if not sure:
            st.error("Tick the box to confirm that you want to end it.")
            return
        program = endable[chosen]
        version = seen[chosen]
        doing = "left" if program.status == PROGRAM_ACTIVE else "withdrew your application to"
        save(
            lambda session: end_membership(
                session=session, actor=account, membership_id=chosen, seen_version=version
            ),
            errors=(ProgramError,),
            done=lambda _: (
                forget("pp_end_choice", "pp_end_sure") or f"You {doing} {program.vendor}'s program."
            ),
        )
