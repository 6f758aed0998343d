"""The public profile's verified reviews (average, count, each with its date and the
partner's one reply) and its standing alliances, linked to the allies' profiles. Only
alliances both sides chose to show appear. The signed-in partner may reply here, once."""

from __future__ import annotations

import streamlit as st
from sqlmodel import Session

from core.alliances.read import public_alliances
from core.formatting import escape_markdown
from core.models import REVIEW_TEXT_MAX, ROLE_PARTNER, utc_now
from core.reviews.read import review_summaries, visible_reviews
from core.reviews.writes import ReviewError, reply_to_review
from core.taxonomy import get_taxonomy
from pages import current_account, get_engine
from pages.parts.saving import save, show_saved


def stars(rating: float) -> str:
    full = round(rating)
    return "★" * full + "☆" * (5 - full)


def render_alliances(partner_id: int) -> None:
    with Session(get_engine()) as db:
        alliances = public_alliances(session=db, partner_id=partner_id)
    if not alliances:
        return
    st.subheader("Standing alliances", anchor=False)
    label = get_taxonomy().area_label
    for ally in alliances:
        areas = ", ".join(label(k).lower() for k in ally.areas)
        st.markdown(
            f"Works with [{escape_markdown(ally.other_name)}](/partner_profile?id={ally.other_id})"
            + (f" for {escape_markdown(areas)}" if areas else "")
        )


def render_reviews(partner_id: int) -> None:
    with Session(get_engine()) as db:
        reviews = visible_reviews(session=db, partner_id=partner_id)
        summary = review_summaries(session=db, partner_ids=[partner_id]).get(partner_id)
    st.subheader("Reviews", anchor=False)
    if summary is None:
        st.caption(
            "No reviews yet. Only customers of a deal closed through Partner Atlas can review "
            "a partner; nobody can pay for or write their own."
        )
        return
    show_saved()
    st.markdown(
        f"**{summary.average:.1f}** {stars(summary.average)} · "
        f"{summary.count} verified review{'s' if summary.count != 1 else ''}"
    )
    account = current_account()
    own = account is not None and account.role == ROLE_PARTNER and account.partner_id == partner_id
    for review in reviews:
        with st.container(border=True):
            st.markdown(
                f"{stars(review.rating)} · ✔️ Verified customer of a closed deal · "
                f"{review.created_at:%B %-d, %Y}"
            )
            if review.text:
                st.text(review.text)  # plain text: a customer's words are never markup
            if review.reply:
                st.caption(f"Reply from the partner · {review.replied_at:%B %-d, %Y}")
                st.text(review.reply)
            elif own:
                with st.popover("Reply (once)"), st.form(f"reply_{review.id}"):
                    text = st.text_area("Your reply", max_chars=REVIEW_TEXT_MAX)
                    if st.form_submit_button("Publish reply", type="primary"):
                        save(lambda s, r=review.id, t=text: reply_to_review(
                            session=s, actor=account, review_id=r, text=t, now=utc_now()),
                            errors=(ReviewError,), done="Your reply is published.")  # fmt: skip
