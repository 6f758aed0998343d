"""Reviews (administrators): every verified review, hidden or shown, and moderation — hide
with a reason, or show again. Core checks the administrator and audits each change."""

from __future__ import annotations

import streamlit as st
from sqlmodel import Session

from core.formatting import escape_markdown
from core.models import ROLE_ADMIN, MaxLength, utc_now
from core.reviews.read import moderation_list
from core.reviews.writes import ReviewError, set_review_hidden
from pages import get_engine, setup_page
from pages.parts.saving import save, show_saved

account = setup_page("Reviews", "⭐", roles=(ROLE_ADMIN,))
assert account is not None
FILTERS = {"all": "Every review", "shown": "Shown", "hidden": "Hidden"}

show_saved()
which = st.segmented_control("Show", list(FILTERS), default="all", format_func=FILTERS.get,
                             key="reviews_filter") or "all"  # fmt: skip
hidden = None if which == "all" else which == "hidden"
with Session(get_engine()) as session:
    reviews = moderation_list(session=session, viewer=account, hidden=hidden)
if not reviews:
    st.info("No review here yet: reviews come only from customers of won leads.")
    st.stop()

st.caption(f"{len(reviews):,} review(s), newest first.")
for review in reviews:
    with st.container(border=True):
        state = f" · :red[hidden: {escape_markdown(review.hidden_reason or '')}]"
        st.markdown(
            f"**{escape_markdown(review.partner_name)}** · {'★' * review.rating} · "
            f"{review.created_at:%Y-%m-%d}" + (state if review.hidden_at else "")
        )
        st.text(review.text or "(no text)")  # st.text shows user text as plain text
        if review.reply:
            st.caption("Partner's reply")
            st.text(review.reply)
        if review.hidden_at is None:
            reason = st.text_input("Reason to hide", key=f"reason_{review.id}",
                                   max_chars=MaxLength.NOTE)  # fmt: skip
            if st.button("Hide", key=f"hide_{review.id}"):
                save(lambda s, r=review.id, why=reason: set_review_hidden(
                    session=s, actor=account, review_id=r, hidden=True, reason=why,
                    now=utc_now()), errors=(ReviewError,), done="Hidden.")  # fmt: skip
        elif st.button("Show again", key=f"unhide_{review.id}"):
            save(lambda s, r=review.id: set_review_hidden(
                session=s, actor=account, review_id=r, hidden=False, now=utc_now()),
                errors=(ReviewError,), done="Shown again.")  # fmt: skip
