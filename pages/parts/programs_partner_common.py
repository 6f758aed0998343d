"""My programs: who the page is for, and the partner's programs as core lists them.

A partner account sees its own organisation; an administrator picks a partner by id (to
help a partner, or to check what it sees). Every write still goes through core, which
checks the account again.
"""

from __future__ import annotations

from datetime import date

import streamlit as st
from sqlmodel import Session

from core.formatting import escape_markdown
from core.models import (
    PROGRAM_ACTIVE,
    PROGRAM_REQUESTED,
    ROLE_ADMIN,
    ROLE_PARTNER,
    SIDE_PARTNER,
    AccountPublic,
    Partner,
)
from core.programs.listing import PartnerProgram, list_partner_programs
from pages import get_engine, setup_page

SEEN_KEY = "pp_versions_seen"


def setup_programs_page(title: str, icon: str) -> tuple[AccountPublic, int]:
    """``setup_page`` for partners and administrators, plus the partner the page is about."""
    account = setup_page(title, icon, roles=(ROLE_PARTNER, ROLE_ADMIN))
    assert account is not None  # setup_page stops anonymous visitors on a restricted page
    if account.role == ROLE_PARTNER:
        if account.partner_id is None:
            st.error("This account is not linked to a partner organisation. Ask an administrator.")
            st.stop()
        return account, account.partner_id
    picked = st.number_input(
        "Partner ID",
        min_value=1,
        value=None,
        step=1,
        key="pp_admin_partner",
        help="Administrators: the partner whose programs to show (its id in the directory).",
    )
    if picked is None:
        st.info("Enter a partner's ID to see and manage its programs.")
        st.stop()
    with Session(get_engine()) as session:
        partner = session.get(Partner, int(picked))
        name = partner.name if partner else None
    if name is None:
        st.error(f"There is no partner with ID {int(picked)}.")
        st.stop()
    st.caption(
        f"Programs of **{escape_markdown(name)}** (partner {int(picked)}), as an administrator."
    )
    return account, int(picked)


def load_programs(account: AccountPublic, partner_id: int) -> list[PartnerProgram]:
    with Session(get_engine()) as session:
        return list_partner_programs(session, account, partner_id)


def status_label(program: PartnerProgram) -> str:
    """The membership's status and its date, in words a partner reads at a glance."""
    if program.status == PROGRAM_REQUESTED:
        if program.requested_by == SIDE_PARTNER:
            return "Applied (vendor to answer)"
        return "Invited (answer below)"
    if program.status == PROGRAM_ACTIVE and program.since:
        return f"Active since {day(program.since)}"
    if program.ended_on:
        return f"{(program.status or '').capitalize()} {day(program.ended_on)}"
    return (program.status or "").capitalize()


def active_vendors(programs: list[PartnerProgram]) -> list[str]:
    return [p.vendor for p in programs if p.status == PROGRAM_ACTIVE]


def day(value: date | None) -> str:
    return f"{value:%b} {value.day}, {value.year}" if value else ""


def forget(*keys: str) -> None:
    """Empty a form after a successful save (its widgets start over on the rerun)."""
    for key in keys:
        st.session_state.pop(key, None)


def remember_versions(key: str, shown: dict[int, int]) -> dict[int, int]:
    """Row id -> the version shown on the previous run (what the user acted on).

    A button press reruns the script, which reads the rows afresh; answering with that
    fresh version would override a change the user never saw. So each run remembers what
    it showed under ``key``, and a press answers with the version of the run before it.
    """
    previous: dict[int, int] = st.session_state.get(key) or {}
    st.session_state[key] = shown
    return {row_id: previous.get(row_id, version) for row_id, version in shown.items()}


def versions_seen(programs: list[PartnerProgram]) -> dict[int, int]:
    """Membership id -> the version the user saw (``remember_versions``)."""
    shown = {p.membership_id: p.version for p in programs if p.membership_id and p.version}
    return remember_versions(SEEN_KEY, shown)
