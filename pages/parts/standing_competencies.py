"""My standing, "Know your competencies" (claimed vs evidenced, and the catalogue
certifications that would back a claim) and "Gaps you could fill" (unmet searches near
the partner). Private to the partner (and administrators): core checks the viewer."""

from __future__ import annotations

from datetime import date

import streamlit as st
from sqlmodel import Session

from core.analytics.competency_gaps import (
    QUARTER_DAYS,
    UNMET_BELOW,
    Suggestion,
    gaps_it_could_fill,
    know_your_competencies,
)
from core.formatting import count_noun, escape_markdown
from core.models import AccountPublic, utc_now
from pages import get_engine
from pages.parts.standing_common import area, level


def _suggestion(s: Suggestion) -> str:
    evidences = level(s.level).lower()
    return f"{escape_markdown(s.vendor)} — {escape_markdown(s.name)} (evidences {evidences})"


def competencies_section(*, account: AccountPublic, partner_id: int) -> None:
    with Session(get_engine()) as session:
        rows = know_your_competencies(
            session=session, viewer=account, partner_id=partner_id, today=date.today()
        )
    if not rows:
        st.info("You claim no competencies yet. Add them on My profile.")
        return
    checkable = [r for r in rows if r.evidenceable]
    backed = sum(not r.over_claim for r in checkable)
    st.caption(
        f"{backed} of {len(checkable)} claims are backed by approved, unexpired "
        "certifications. Only you see this page; an unbacked claim two levels above its "
        "evidence is marked on your public profile."
    )
    for row in rows:
        with st.container(border=True):
            head = (
                f"**{escape_markdown(area(row.area_key))}** · you claim "
                f"{level(row.claimed).lower()} · evidenced: {level(row.evidenced).lower()}"
            )
            if not row.evidenceable:
                st.markdown(f":material/info: {head}")
                st.caption("No catalogue certification covers this area: it is never marked.")
                continue
            if not row.over_claim:
                st.markdown(f":material/check_circle: {head}")
                if row.evidenced > row.claimed:
                    st.caption(
                        "Your certifications back more than you claim: you may claim "
                        f"{level(row.evidenced).lower()} on My profile."
                    )
                continue
            st.markdown(f":material/warning: {head}")
            if row.flagged:
                st.caption("Shown on your public profile as not backed by certifications.")
            if row.suggestions:
                st.markdown(
                    "Would back the claim:\n"
                    + "\n".join(f"- {_suggestion(s)}" for s in row.suggestions)
                )
            else:
                st.caption(
                    "No catalogue certification evidences this level; consider a lower claim."
                )


def gaps_section(*, account: AccountPublic, partner_id: int) -> None:
    with Session(get_engine()) as session:
        gaps = gaps_it_could_fill(
            session=session, viewer=account, partner_id=partner_id, now=utc_now()
        )
    st.caption(
        f"Searches in the states you serve over the last {QUARTER_DAYS} days that found fewer "
        f"than {UNMET_BELOW} partners, and team searches there that needed more than one "
        "partner, in areas where you are foundational or proficient."
    )
    if not gaps:
        st.info("No unmet demand near you in your foundational or proficient areas last quarter.")
        return
    for gap in gaps:
        asked = count_noun(gap.searches, "time")
        text = (
            f"Customers near you asked for **{escape_markdown(area(gap.area_key))}** {asked} "
            "last quarter"
        )
        if gap.team_searches:
            text += (
                f" ({gap.team_searches} of them in team searches that needed another partner)"
                if gap.team_searches < gap.searches
                else " (in team searches that needed another partner)"
            )
        text += f"; you are {level(gap.claimed).lower()}."
        if gap.suggestions:
            first = gap.suggestions[0]
            text += f" {_suggestion(first)} would make you {level(gap.next_level).lower()}."
        with st.container(border=True):
            st.markdown(text)
