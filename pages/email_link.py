"""Where the one-click links of our emails land: "did the partner contact you?" answers and
unsubscribing. No account needed: the link's token is the permission (core checks it).

``?do=contacted&t=<token>&a=yes|no`` records the answer at once (it is what the click
means); ``?do=unsubscribe&t=<token>`` asks for a confirming click first, so a mail
scanner that opens links unsubscribes nobody. The token leaves the address bar once used.
"""

from __future__ import annotations

import streamlit as st

from core.db import session_scope
from core.formatting import escape_markdown
from core.leads.feedback import record_contact_answer
from core.models import utc_now
from core.notifications.tokens import TokenError
from core.notifications.unsubscribe import masked_email, unsubscribe, unsubscribe_address
from pages import get_engine, setup_page

DONE_KEY = "email_link_done"  # the outcome, shown again after the token left the URL

setup_page("Your answer", "✉️")
params = st.query_params
action, raw, answer = params.get("do", ""), params.get("t", ""), params.get("a", "")


def finish(message: str) -> None:
    """Show the outcome now and after any rerun; take the token out of the address bar."""
    st.session_state[DONE_KEY] = message
    st.query_params.clear()
    st.success(message, icon="✅")
    st.stop()


if not raw and (done := st.session_state.get(DONE_KEY)):
    st.success(done, icon="✅")
    st.stop()

if action == "contacted":
    try:
        with session_scope(get_engine()) as session:
            result = record_contact_answer(session=session, raw=raw, answer=answer, now=utc_now())
    except TokenError as exc:
        if "recorded" in str(exc):  # a second click: the first one counted
            st.info(str(exc))
        else:
            st.error(str(exc))
        st.stop()
    partner = escape_markdown(result.partner_name)
    if result.contacted:
        finish(f"Thank you! You told us that {partner} contacted you.")
    finish(
        f"Thank you for telling us that {partner} has not contacted you yet. Your answer "
        "counts in how responsive partners are shown to be; you may also look for another "
        "partner in the directory."
    )

elif action == "unsubscribe":
    try:
        with session_scope(get_engine()) as session:
            address = unsubscribe_address(session=session, raw=raw, now=utc_now())
    except TokenError as exc:
        st.error(str(exc))
        st.stop()
    st.write(
        "You will no longer get reminders and follow-up questions from Partner Atlas at this "
        "address. Messages about requests you make yourself still reach you."
    )
    shown = masked_email(address)
    if st.button(f"Unsubscribe {shown}", type="primary"):
        try:
            with session_scope(get_engine()) as session:
                unsubscribe(session=session, raw=raw, now=utc_now())
        except TokenError as exc:
            st.error(str(exc))
            st.stop()
        finish(f"Done: {escape_markdown(shown)} is unsubscribed from these messages.")

else:
    st.info(
        "This page answers the links in our emails. Please open it from the link in your "
        "email; to find a partner, use the directory."
    )
st.page_link("pages/find_partners.py", label="Find partners", icon="🔎")
