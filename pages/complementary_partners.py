"""Complementary partners (/complementary_partners): who nearby fills this partner's gaps.

A partner account sees its own organisation; vendor teams and administrators pick a partner
by name (or ?id=12). The page shows the partner's strengths and gaps, the smallest team of
nearby partners that closes every gap, and the partners that add the most, with what each
brings (certified or self-assessed).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.formatting import count_noun, escape_markdown, format_km, is_ascii_whole_number
from core.models import ROLE_PARTNER
from core.search.query import MAX_RADIUS_KM
from core.search.text import claim_and_evidence, radius_text
from core.taxonomy import PROFICIENT, get_taxonomy
from core.teams.complements import (
    UnknownPartnerError,
    closing_team,
    find_complements,
    partner_gaps,
    partners_named,
)
from pages import get_index_holder, setup_page
from pages.parts.introductions import introductions_section, propose_form
from pages.parts.saving import show_saved

account = setup_page("Complementary partners", "🧩", roles=("partner", "vendor", "admin"))
assert account is not None  # setup_page stopped the page for anonymous visitors
taxonomy = get_taxonomy()
ss = st.session_state
K = "complements_"
LEVELS = taxonomy.level_labels(at_least=PROFICIENT)
label = taxonomy.area_label
index = get_index_holder().get()

st.caption(
    "No partner covers everything. Team up with nearby partners who are strong where you are "
    "not: each one below brings at least one of your gaps, at the level you choose."
)

# ---- whose gaps ------------------------------------------------------------------------------

partner_id: int | None = None
if account.role == ROLE_PARTNER:
    partner_id = account.partner_id
    if partner_id is None:
        st.error("This partner account is not linked to a partner organisation.")
        st.stop()
    show_saved()
    introductions_section(account, partner_id, index)
else:
    raw = st.query_params.get("id", "").strip()
    if is_ascii_whole_number(raw) and f"{K}picked" not in ss:
        ss[f"{K}picked"] = int(raw)
    typed = st.text_input("Partner name", key=f"{K}name", placeholder="e.g. Cornerstone Cyber")
    found = partners_named(index, typed) if typed.strip() else []
    options = [pid for pid, _, _ in found]
    labels = {pid: f"{name} · {city}" for pid, name, city in found}
    picked = ss.get(f"{K}picked")
    if picked is not None and picked not in options and index.rows_of([picked]).size:
        options.insert(0, picked)
        gaps_of_picked = partner_gaps(index=index, partner_id=picked)
        labels[picked] = f"{gaps_of_picked.name} · {gaps_of_picked.hq_city}"
    if typed.strip() and not found:
        st.info("No partner name contains all of these words.")
    if not options:
        st.info("Type part of a partner's name to see who complements it.", icon="🔎")
        st.stop()
    partner_id = st.selectbox(
        "Partner", options, format_func=lambda pid: labels.get(pid, str(pid)), key=f"{K}choice"
    )
    ss[f"{K}picked"] = partner_id
    st.query_params["id"] = str(partner_id)

controls = st.columns(2)
radius = controls[0].select_slider(
    "Within", [25, 50, 80, 120, 160, 250, 400, int(MAX_RADIUS_KM)], value=80, key=f"{K}radius",
    format_func=lambda km: f"{km} km",
)  # fmt: skip
min_level = (
    controls[1].segmented_control(
        "Gap = below", list(LEVELS), default=PROFICIENT, key=f"{K}level", format_func=LEVELS.get
    )
    or PROFICIENT
)

try:
    gaps = partner_gaps(index=index, partner_id=int(partner_id), min_level=min_level)
except UnknownPartnerError as exc:
    st.error(escape_markdown(str(exc)))
    st.stop()

# ---- the partner -----------------------------------------------------------------------------

st.subheader(escape_markdown(gaps.name), anchor=False)
st.caption(escape_markdown(f"HQ {gaps.hq_city}" if gaps.hq_city else "No office listed"))
level_word = LEVELS[min_level].lower()


def badges(keys: list[str], colour: str) -> str:
    # Area labels come from the taxonomy files, not from users; brackets would end a badge.
    return " ".join(f":{colour}-badge[{label(k).replace(']', ')')}]" for k in keys)


st.markdown(
    f"**Strong in** ({level_word} or better): " + (badges(gaps.strengths, "green") or "nothing yet")
)
if not gaps.gaps:
    st.success(f"No gaps: this partner covers every area at {level_word} level or better.")
    st.stop()
st.markdown("**Gaps**: " + badges(gaps.gaps, "orange"))

complements = find_complements(
    index=index, partner_id=gaps.partner_id, radius_km=radius, min_level=min_level, limit=12
)
team = closing_team(index=index, partner_id=gaps.partner_id, radius_km=radius, min_level=min_level)
m1, m2, m3 = st.columns(3)
m1.metric("Areas covered", len(gaps.strengths), border=True)
m2.metric("Gaps", len(gaps.gaps), border=True)
if team is not None:  # the team search looked at everyone in range, not only the top few
    filled = len(gaps.gaps) - len(team.uncovered_needs)
else:
    filled = len({k for c in complements for k in c.fills})
m3.metric("Gaps someone nearby fills", f"{filled} of {len(gaps.gaps)}", border=True)

# ---- the smallest team that closes every gap --------------------------------------------------

with st.container(border=True):
    st.markdown("**The smallest team that closes every gap**")
    if team is None:
        st.caption("This partner has no office on record, so nearby partners cannot be found.")
    elif team.teams:
        best = team.teams[0]
        for member in best.members:
            covers = ", ".join(label(k) for k in member.assigned)
            st.markdown(
                f"- [{escape_markdown(member.name)}](/partner_profile?id={member.partner_id}) · "
                f"{escape_markdown(format_km(member.distance_km))} · {escape_markdown(covers)}"
            )
        st.caption(
            f"{count_noun(len(best.members), 'partner')} within {radius_text(radius)} of the HQ."
        )
    elif team.uncovered_needs:
        missing = ", ".join(label(k) for k in team.uncovered_needs)
        st.caption(escape_markdown(f"Nobody within {radius} km of the HQ offers: {missing}."))
        for need, nearest in team.nearest_for_uncovered.items():
            st.markdown(
                f"- {escape_markdown(label(need))}: nearest is "
                f"[{escape_markdown(nearest.name)}](/partner_profile?id={nearest.partner_id}), "
                f"{escape_markdown(format_km(nearest.distance_km))} away"
            )
    else:
        st.caption(
            f"Closing all {len(gaps.gaps)} gaps takes {team.smallest_size} or more partners "
            "here; the best single additions are below."
        )

# ---- who adds what ---------------------------------------------------------------------------

st.subheader("Who adds the most", anchor=False)
if not complements:
    st.info(f"No partner within {radius} km brings any of these areas. Try a wider radius.")
    st.stop()
grid = pd.DataFrame(
    [
        {
            "Partner": c.name,
            "Km": c.distance_km,
            **{
                label(k): next(("✅" if a.certified else "☑️" for a in c.adds if a.key == k), "")
                for k in gaps.gaps
            },
        }
        for c in complements
    ]
)
grid = grid.loc[:, (grid != "").any(axis=0)]  # only the gaps someone here fills
st.dataframe(grid, hide_index=True)
st.caption("✅ certified · ☑️ self-assessed · empty: does not fill that gap")
for c in complements:
    with st.container(border=True):
        st.page_link(
            "pages/partner_profile.py",
            label=f"**{escape_markdown(c.name)}**",
            query_params={"id": str(c.partner_id)},
        )
        where = [f"HQ {c.hq_city}" if c.hq_city else "", format_km(c.distance_km) + " away"]
        st.caption(" · ".join(escape_markdown(w) for w in where if w) + f" · score {c.score:.0f}")
        st.markdown(
            "Adds "
            + "; ".join(
                f"{'✅' if a.certified else '☑️'} {escape_markdown(label(a.key))} "
                f"({escape_markdown(claim_and_evidence(a.claimed, a.evidenced))})"
                for a in c.adds
            )
        )
        if account.role == ROLE_PARTNER:
            propose_form(account, c.partner_id, gaps.strengths, c.fills)
st.caption(
    "Ranked by how strongly each fills your gaps (60 points), distance (25) and profile "
    "freshness (15). No partner pays for placement."
)
