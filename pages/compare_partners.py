"""Compare partners (/compare_partners?ids=12,7&near=78701): two to four profiles side by side."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import streamlit as st
from sqlmodel import Session

from core.directory.compare import (
    MAX_COMPARE,
    MIN_COMPARE,
    ComparedPartner,
    CompareError,
    load_comparison,
    parse_compare_ids,
)
from core.formatting import company_sizes, escape_markdown, format_km, format_radius_km
from core.geo.places import UnknownPlaceError, resolve_place
from core.models import MaxLength
from core.search.text import claim_and_evidence, freshness_text
from core.taxonomy import BUSINESS_SERVICES, PROFICIENT, TECHNOLOGY, get_taxonomy
from pages import get_engine, setup_page
from pages.parts.contact import contact_form, show_contact_notice

setup_page("Compare partners", "⚖️")
ss = st.session_state
taxonomy = get_taxonomy()


def back_to_search() -> None:
    params = st.session_state.get("last_search_params")
    label = "Back to your search" if params else "Find partners"
    st.page_link("pages/find_partners.py", label=label, icon="🔎", query_params=params or {})


try:
    ids = parse_compare_ids(st.query_params.get("ids"))
except CompareError as exc:
    st.error(escape_markdown(str(exc)))
    back_to_search()
    st.stop()
if len(ids) < MIN_COMPARE:
    st.info(
        f"Pick {MIN_COMPARE} to {MAX_COMPARE} partners in the search results "
        "(“Compare partners side by side”) to see them here."
    )
    back_to_search()
    st.stop()

place = None
near = st.query_params.get("near", "").strip()
if near:
    try:
        place = resolve_place(near[: MaxLength.SEARCH_PLACE])
    except UnknownPlaceError as exc:
        st.warning(f"Distances are not shown: {escape_markdown(str(exc))}")

with Session(get_engine()) as db:
    comparison = load_comparison(session=db, partner_ids=ids, today=date.today(), place=place)
if comparison.missing_ids:
    missing = ", ".join(str(i) for i in comparison.missing_ids)
    st.warning(f"Not in the directory (any more): partner number {missing}.")
if len(comparison.partners) < MIN_COMPARE:
    st.info("There are not enough partners left to compare.")
    back_to_search()
    st.stop()

back_to_search()
now = datetime.now(UTC)
partners = comparison.partners
names = [c.profile.name for c in partners]
# Column titles must be unique; two partners may share a name.
titles = [
    n if names.count(n) == 1 else f"{n} (#{c.partner_id})"
    for n, c in zip(names, partners, strict=True)
]

columns = st.columns(len(partners))
for column, compared in zip(columns, partners, strict=True):
    p = compared.profile
    with column.container(border=True):
        st.page_link(
            "pages/partner_profile.py",
            label=f"**{escape_markdown(p.name)}**",
            query_params={"id": str(p.partner_id)},
        )
        facts = [p.headquarters.label if p.headquarters else "No office listed"]
        if compared.distance_km is not None:
            facts.append(f"{format_km(compared.distance_km)} from {place.label}")  # type: ignore[union-attr]
        facts.append(
            freshness_text(p.updated_at, p.verified_at, now=now, confirmed_at=p.confirmed_at)
        )
        st.caption("  \n".join(escape_markdown(f) for f in facts))
        st.metric("Areas at proficient or better", p.breadth)


def area_table(group: str) -> pd.DataFrame:
    rows = []
    for row in comparison.area_rows(group=group):
        line = {"Area": row["label"]}
        for title, compared in zip(titles, partners, strict=True):
            level = row["cells"][compared.partner_id]
            text = "–" if level.level == 0 else claim_and_evidence(level.claimed, level.evidenced)
            if level.ally_name:
                text += f", through {level.ally_name}"
            if level.flagged:
                text = "⚠️ " + text
            line[title] = text
        rows.append(line)
    return pd.DataFrame(rows)


st.subheader("Technology", anchor=False)
st.caption("“certified” = backed by approved, unexpired certifications; ⚠️ = claim well above it.")
st.table(area_table(TECHNOLOGY), hide_index=True)
st.subheader("Business services", anchor=False)
st.table(area_table(BUSINESS_SERVICES), hide_index=True)

st.subheader("Evidence and reach", anchor=False)
facts: dict[str, list[str]] = {
    "Valid certifications": [],
    "Vendors certified with": [],
    "Claims above evidence": [],
    "Company sizes served": [],
    "Service area": [],
}
if place is not None:
    facts["Distance"] = []
for compared in partners:
    p = compared.profile
    vendors = [v.vendor for v in p.vendors if any(not c.expired for c in v.certifications)]
    facts["Valid certifications"].append(str(p.valid_certification_count))
    facts["Vendors certified with"].append(", ".join(vendors) or "none")
    facts["Claims above evidence"].append(", ".join(a.label for a in p.flagged) or "none")
    facts["Company sizes served"].append(company_sizes(p.segments) or "–")
    reach = [f"{format_radius_km(p.service_radius_km)} radius"] if p.service_radius_km else []
    reach += [", ".join(p.states_served)] if p.states_served else []
    facts["Service area"].append("; ".join(reach) or "its offices only")
    if place is not None:
        facts["Distance"].append(format_km(compared.distance_km))
table = pd.DataFrame(
    {"": list(facts), **{t: [facts[k][i] for k in facts] for i, t in enumerate(titles)}}
)
st.table(table, hide_index=True)


# ---- next steps: contact one of them, or look for a team -------------------------------------


def team_needs() -> tuple[list[str], bool]:
    """The needs for "Build a team from these", and whether they are the visitor's search.

    The team builder takes needs and a place, not partner ids: the needs of the search the
    visitor compared from, or else every area one of these partners covers (proficient or
    better).
    """
    searched = ss.get("last_search_params", {}).get("needs", "")
    needs = [k for k in searched.split(",") if k in taxonomy.area_keys]
    if needs:
        return needs, True
    covered = {a.key for c in partners for a in c.profile.areas if a.level >= PROFICIENT}
    return [k for k in taxonomy.area_keys if k in covered], False


def render_contact(compared_partner: ComparedPartner) -> None:
    p = compared_partner.profile
    sent_key = f"contact_sent_{p.partner_id}"  # shared with the profile page's form
    if sent_key in ss:
        sent = ss[sent_key]
        st.success(
            f"Your request was sent to {escape_markdown(p.name)}. It answers you by email at "
            f"{escape_markdown(sent['contact_email'])}.",
            icon="✅",
        )
        show_contact_notice()
        return
    searched = ss.get("last_search_params", {}).get("needs", "")
    request = contact_form(
        form_key=f"compare_contact_{p.partner_id}",
        partner_ids=[p.partner_id],
        team=False,
        default_needs=[k for k in searched.split(",") if k in taxonomy.area_keys],
        button_label="Send request",
        message_placeholder="A few words about your business and the project.",
    )
    if request is not None:
        ss[sent_key] = request.model_dump()
        st.rerun()


st.subheader("Next steps", anchor=False)
for compared in partners:
    with st.expander(f"Contact {escape_markdown(compared.profile.name)}", icon="✉️"):
        render_contact(compared)
needs, from_search = team_needs()
if needs:
    team_link: dict[str, str] = {"needs": ",".join(needs)}
    if near and place is not None:
        team_link["near"] = near[: MaxLength.SEARCH_PLACE]
    st.page_link(
        "pages/team_builder.py",
        label="Build a team from these",
        icon="🤝",
        query_params=team_link,
    )
    what = "the needs of your search" if from_search else "the areas these partners cover"
    labels = ", ".join(taxonomy.area_label(k) for k in needs)
    st.caption(
        f"The team builder looks for the smallest team of nearby partners that covers "
        f"{what} ({escape_markdown(labels)}); it picks among all partners, not only these."
    )
