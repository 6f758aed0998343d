"""Confirm a profile from the "still correct" link of the 180-day nudge, no sign-in needed.

The link's token (core.directory.confirmation) says which partner; the page names it and
asks for one button press rather than confirming on open: mail scanners open links too, and
a profile must not count as confirmed because a scanner looked at the message.
"""

from __future__ import annotations

import streamlit as st
from sqlmodel import Session

from core.db import session_scope
from core.directory.confirmation import confirm_still_correct, partner_of_link
from core.formatting import escape_markdown
from core.models import utc_now
from core.notifications.tokens import TokenError
from pages import get_engine, setup_page

setup_page("Confirm your profile", "✅")
ss = st.session_state
DONE = "profile_confirm_done"
raw = str(st.query_params.get("t", "")).strip()

done = ss.get(DONE)
if done and done["raw"] == raw:
    st.success(
        f"Thank you: the profile of {escape_markdown(done['name'])} is confirmed as still "
        "correct. Search shows it as current from now on.",
        icon="✅",
    )
    st.page_link(
        "pages/partner_profile.py",
        label="See the public profile",
        query_params={"id": str(done["partner_id"])},
    )
    st.stop()

if not raw:
    st.info(
        "This page confirms a partner profile from the link in our email. Please open the "
        "link from your email."
    )
    st.stop()

try:
    with Session(get_engine()) as session:
        who = partner_of_link(session=session, raw=raw, now=utc_now())
except TokenError as exc:
    st.warning(escape_markdown(str(exc)))
    st.stop()

st.write(f"Is the profile of **{escape_markdown(who.name)}** still correct?")
st.page_link(
    "pages/partner_profile.py",
    label="Check the public profile first",
    query_params={"id": str(who.partner_id)},
)
if st.button("Yes, my profile is still correct", type="primary", key="confirm_still_correct"):
    try:
        with session_scope(get_engine()) as session:
            confirmed = confirm_still_correct(session=session, raw=raw, now=utc_now())
            session.commit()
    except TokenError as exc:
        st.warning(escape_markdown(str(exc)))
        st.stop()
    ss[DONE] = {"raw": raw, "name": confirmed.name, "partner_id": confirmed.partner_id}
    st.rerun()
st.caption("Something changed? Sign in and edit *My profile* instead; saving confirms it too.")
