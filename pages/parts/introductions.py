"""Complementary partners, the partner's own side: introductions it received and sent, its
standing alliances (shown on the profiles only while both sides agree), a "Propose teaming"
form per complement, and linking a free-text ally name to the ally's real profile."""

from __future__ import annotations

import streamlit as st
from sqlmodel import Session

from core.alliances.read import my_introductions, named_allies
from core.alliances.writes import (
    IntroductionError,
    answer_introduction,
    end_alliance,
    propose_introduction,
    show_alliance,
    withdraw_introduction,
)
from core.formatting import escape_markdown
from core.models import AccountPublic, MaxLength, utc_now
from core.search.index import ReadIndex
from core.taxonomy import get_taxonomy
from core.teams.complements import partners_named
from pages import get_engine
from pages.parts.saving import save

ERRORS = (IntroductionError,)


def _link(other_id: int, name: str) -> str:
    return f"[{escape_markdown(name)}](/partner_profile?id={other_id})"


def _areas(keys: list[str]) -> str:
    return ", ".join(get_taxonomy().area_label(k) for k in keys) or "—"


def introductions_section(account: AccountPublic, partner_id: int, index: ReadIndex) -> None:
    with Session(get_engine()) as db:
        intros = my_introductions(session=db, viewer=account, partner_id=partner_id)
        allies = named_allies(session=db, partner_id=partner_id)
    incoming = [i for i in intros if i.status == "open" and i.incoming]
    outgoing = [i for i in intros if i.status == "open" and not i.incoming]
    alliances = [i for i in intros if i.status == "accepted"]
    title = f"Introductions and alliances ({len(incoming)} waiting for you)"
    with st.expander(title, expanded=bool(incoming), icon="🤝"):
        for i in incoming:
            with st.container(border=True):
                st.markdown(f"**{_link(i.other_id, i.other_name)}** proposes teaming: they "
                            f"cover {_areas(i.their_areas)}; you would cover "
                            f"{_areas(i.my_areas)}.")  # fmt: skip
                if i.message:
                    st.text(i.message)
                left, right = st.columns(2)
                if left.button("Accept", key=f"intro_accept_{i.id}", type="primary"):
                    save(lambda s, n=i.id: answer_introduction(session=s, actor=account,
                         intro_id=n, accept=True, now=utc_now()), errors=ERRORS,
                         done="Accepted: you now have a standing alliance.")  # fmt: skip
                if right.button("Decline", key=f"intro_decline_{i.id}"):
                    save(lambda s, n=i.id: answer_introduction(session=s, actor=account,
                         intro_id=n, accept=False, now=utc_now()), errors=ERRORS,
                         done="Declined.")  # fmt: skip
        for i in outgoing:
            cols = st.columns([4, 1])
            cols[0].markdown(f"Sent to {_link(i.other_id, i.other_name)}, waiting for an answer.")
            if cols[1].button("Withdraw", key=f"intro_withdraw_{i.id}"):
                save(lambda s, n=i.id: withdraw_introduction(session=s, actor=account,
                     intro_id=n, now=utc_now()), errors=ERRORS, done="Withdrawn.")  # fmt: skip
        if alliances:
            st.markdown("**Standing alliances**")
        for i in alliances:
            with st.container(border=True):
                st.markdown(f"{_link(i.other_id, i.other_name)} covers {_areas(i.their_areas)}.")
                shown = st.toggle("Show on both public profiles", value=i.i_show,
                                  key=f"alliance_show_{i.id}")  # fmt: skip
                st.caption("Shown publicly" if i.i_show and i.they_show else
                           "Shown once both of you agree" + (" (they agree)" if i.they_show
                                                             else ""))  # fmt: skip
                if shown != i.i_show:
                    save(lambda s, n=i.id, v=shown: show_alliance(session=s, actor=account,
                         intro_id=n, shown=v), errors=ERRORS, done="Saved.")  # fmt: skip
                if st.button("End alliance", key=f"alliance_end_{i.id}"):
                    save(lambda s, n=i.id: end_alliance(session=s, actor=account, intro_id=n,
                         now=utc_now()), errors=ERRORS, done="Alliance ended.")  # fmt: skip
        if not intros:
            st.caption("No introductions yet: propose teaming to a partner below.")
        if allies:
            _link_ally(account, allies, index)


def _link_ally(account: AccountPublic, allies: dict[str, str], index: ReadIndex) -> None:
    label = get_taxonomy().area_label
    st.markdown("**Link an ally named on your profile to its real profile**")
    area = st.selectbox("Ally", list(allies), key="ally_area",
                        format_func=lambda k: f"{allies[k]} ({label(k)})")  # fmt: skip
    found = partners_named(index, allies[area])
    if not found:
        st.caption(escape_markdown(f"No partner named like {allies[area]} in the directory."))
        return
    names = {pid: f"{name} · {city}" for pid, name, city in found}
    picked = st.selectbox("Its profile", list(names), key="ally_pick", format_func=names.get)
    if st.button("Propose the link", key="ally_propose"):
        save(lambda s: propose_introduction(session=s, actor=account, to_partner_id=picked,
             message=f"We name you as our ally for {label(area)}.", from_areas=[],
             to_areas=[area], ally_area=area, now=utc_now()), errors=ERRORS,
             done="Sent: the link shows once they accept.")  # fmt: skip


def propose_form(account: AccountPublic, other_id: int, strengths: list[str], fills: list[str]):  # type: ignore[no-untyped-def]
    """The "Propose teaming" popover of one complement."""
    label = get_taxonomy().area_label
    keys = get_taxonomy().area_keys
    with st.popover("Propose teaming", icon="🤝"), st.form(f"propose_{other_id}"):
        message = st.text_area("Message", max_chars=MaxLength.MESSAGE, key=f"msg_{other_id}")
        mine = st.multiselect("You cover", keys, default=strengths, format_func=label,
                              key=f"mine_{other_id}")  # fmt: skip
        theirs = st.multiselect("They cover", keys, default=fills, format_func=label,
                                key=f"theirs_{other_id}")  # fmt: skip
        if st.form_submit_button("Send introduction", type="primary"):
            save(lambda s: propose_introduction(session=s, actor=account, to_partner_id=other_id,
                 message=message, from_areas=mine, to_areas=theirs, now=utc_now()),
                 errors=ERRORS, done="Introduction sent.")  # fmt: skip
