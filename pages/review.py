"""Where a won lead's customer rates its partner (/review?t=<token>), from the email only.

No account: the single-use link is the permission, and the customer confirms it with the
email address it was sent to (core checks both, and that the lead is still won). Until the
form is sent nothing is spent, so a typo loses nothing.
"""

from __future__ import annotations

import streamlit as st
from sqlmodel import Session

from core.db import session_scope
from core.formatting import escape_markdown
from core.models import REVIEW_TEXT_MAX, Partner, utc_now
from core.notifications.tokens import TokenError
from core.reviews.writes import ReviewError, check_review_link, submit_review
from pages import get_engine, setup_page

DONE_KEY = "review_done"
STARS = {5: "★★★★★ excellent", 4: "★★★★ good", 3: "★★★ fair", 2: "★★ poor", 1: "★ bad"}

setup_page("Rate your partner", "⭐")
raw = st.query_params.get("t", "")

if not raw and (done := st.session_state.get(DONE_KEY)):
    st.success(done, icon="✅")
    st.stop()
if not raw:
    st.info(
        "Reviews come only from customers of a closed deal: this page opens from the link in "
        "the email sent when a partner marks your deal won."
    )
    st.page_link("pages/find_partners.py", label="Find partners", icon="🔎")
    st.stop()

try:
    with Session(get_engine()) as db:
        partner_id = check_review_link(session=db, raw=raw, now=utc_now())
        partner = db.get(Partner, partner_id)
        partner_name = partner.name if partner else "the partner"
except (TokenError, ReviewError) as exc:
    st.error(str(exc))
    st.stop()

shown_name = escape_markdown(partner_name)
st.subheader(f"How did {shown_name} do?", anchor=False)
st.caption(
    "Your review is shown on the partner's public profile as from a verified customer of a "
    "closed deal, with its date. Your name and email address are not shown."
)
with st.form("review_form"):
    email = st.text_input("Your email address (the one this link was sent to)", max_chars=254)
    rating = st.radio("Rating", list(STARS), format_func=STARS.get, index=None, horizontal=True)
    text = st.text_area("Your review", max_chars=REVIEW_TEXT_MAX, placeholder="What went well?")
    sent = st.form_submit_button("Send review", type="primary")

if sent:
    try:
        with session_scope(get_engine()) as session:
            submit_review(session=session, raw=raw, email=email, rating=rating, text=text,
                          now=utc_now())  # fmt: skip
    except (TokenError, ReviewError) as exc:
        st.error(str(exc))  # the typed text stays in the form
        st.stop()
    st.session_state[DONE_KEY] = f"Thank you! Your review of {shown_name} is published."
    st.query_params.clear()
    st.success(st.session_state[DONE_KEY], icon="✅")
    st.page_link("pages/partner_profile.py", label=f"See {shown_name}'s profile",
                 query_params={"id": str(partner_id)})  # fmt: skip
