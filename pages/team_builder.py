"""Build a team (/team_builder): the smallest team of nearby partners that covers every need.

Same filters and URL parameters as Find partners (core.search.params), plus ``team_size``, so
the search page's "no single partner" state links here with the same query. Teams show as
cards: members, who covers what (certified or self-assessed), distances, a small map, and
"Contact this team", which sends one linked lead to every member.
"""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from core.analytics.demand import search_signature
from core.formatting import count_noun, escape_markdown, format_km, format_radius_km
from core.maps.build import build_partner_area_map
from core.models import TEAM_KIND
from core.search.form import form_values
from core.search.params import IgnoredValue
from core.search.query import QueryError, SearchQuery
from core.search.text import coverage_mark, coverage_text, describe_search, distance_text
from core.taxonomy import get_taxonomy
from core.teams.finder import Team, TeamResult, find_teams_in_index
from core.teams.params import (
    params_of,
    team_params,
    team_query_from_search,
    team_size_from_params,
)
from core.teams.query import MAX_TEAM_SIZE, TeamQuery
from core.teams.text import (
    difference_from_best,
    headline,
    too_small_text,
    uncovered_text,
    wider_radius_km,
)
from pages import setup_page
from pages.parts import search_memory
from pages.parts.contact import contact_form, show_contact_notice
from pages.parts.demand_log import record_visitor_demand
from pages.parts.errors import directory_index
from pages.parts.search_filters import show_query_error, show_url_problems, team_filters
from pages.parts.url_state import UrlState

account = setup_page("Build a team", "🤝")
taxonomy = get_taxonomy()
ss = st.session_state
K = "teams_"  # prefix of every session key of this page
label = taxonomy.area_label
URL = UrlState(K, own=team_params)  # the team search in the link


def apply_query(search: SearchQuery, team_size: int) -> None:
    """Show a query in the widgets (before they are drawn, or from a callback)."""
    URL.show(form_values(search, prefix=K) | {f"{K}team_size": team_size})


def change_query(**changes: object) -> None:
    """Button callbacks of the empty states: widen the radius, drop a need, allow more."""
    search = URL.search_from_widgets()
    size = int(changes.pop("team_size", ss[f"{K}team_size"]))
    apply_query(search.model_copy(update=changes), size)


# ---- URL -> widgets ------------------------------------------------------------------------

url_problems: list[str] = []
url_ignored: list[IgnoredValue] = []
search_memory.restore()  # a link without a search (the sidebar's) gets the last one
if URL.changed():
    url_search, url_problems, url_ignored = URL.search_from_url()
    url_size, size_problem = team_size_from_params(URL.params())
    url_problems += [size_problem] if size_problem else []
    apply_query(url_search, url_size)

st.caption(
    "When no single partner covers everything you need, a few nearby partners can – together. "
    "Partner Atlas finds the **smallest** team that covers all your needs (exactly, not a "
    "guess) and ranks the teams by certified evidence, distance and freshness."
)
filters, main = st.columns([1.2, 2.5], gap="large")
with filters:
    jump_to_teams = st.empty()  # filled once results are known: phones stack the columns
    team_filters(K)

# ---- widgets -> query -> URL -----------------------------------------------------------------

team_size = int(ss[f"{K}team_size"])
try:
    search = URL.search_from_widgets()
except QueryError as exc:
    with main:
        st.error(f"Please check the search: {escape_markdown(str(exc))}")
    st.stop()
URL.write(params_of(search, max_size=team_size))
search_memory.remember(params_of(search, max_size=team_size))


def render_members(team: Team, query: TeamQuery) -> None:
    for member in team.members:
        st.page_link(
            "pages/partner_profile.py",
            label=f"**{escape_markdown(member.name)}**",
            query_params={"id": str(member.partner_id)},
        )
        where = [member.hq_city and f"HQ {member.hq_city}"]
        where.append(distance_text(member.distance_km, member.reach))
        st.caption(" · ".join(escape_markdown(w) for w in where if w))
        lines = []
        for need in member.assigned:  # the needs this member is credited with in the team
            claimed, evidenced = member.levels[need]
            mark = coverage_mark(claimed, evidenced, query.min_level)
            lines.append(f"{mark} {escape_markdown(coverage_text(need, claimed, evidenced))}")
        st.markdown("  \n".join(lines))
        extra = [n for n in member.covers if n not in member.assigned]
        if extra:
            st.caption("Also covers " + escape_markdown(", ".join(label(n) for n in extra)))


def render_map(team: Team, result: TeamResult, key: str) -> None:
    spots = [
        (m.latitude, m.longitude, f"{m.name} – {', '.join(label(n) for n in m.assigned)}")
        for m in team.members
        if m.latitude is not None and m.longitude is not None
    ]
    if result.place is not None:
        spots.append((result.place.latitude, result.place.longitude, "You: " + result.place.label))
    area_map = build_partner_area_map(
        # No scale bar: the card's map is too narrow for it and the tile attribution together.
        locations=spots,
        service_radius_km=None,
        states_served=[],
        height_px=260,
        scale=False,
    )
    st_folium(area_map, height=260, returned_objects=[], use_container_width=True, key=key)


def render_contact(team: Team, query: TeamQuery, n: int) -> None:
    ids = [m.partner_id for m in team.members]
    sent = ss.get(f"{K}sent")
    if sent and sent["ids"] == ids:
        everyone = "both" if len(ids) == 2 else f"all {len(ids)}"
        st.success(
            f"Your request went to {everyone} partners of this team, as one linked request. "
            "Each sees it in its leads inbox and answers you by email.",
            icon="✅",
        )
        show_contact_notice()
        st.text("To: " + ", ".join(m.name for m in team.members))
        st.text(f"From: {sent['contact_name']} <{sent['contact_email']}>")
        return
    if ss.get(f"{K}contact") != ids:
        st.button(
            "Contact this team",
            key=f"{K}open_{n}",
            type="primary" if n == 0 else "secondary",
            icon="✉️",
            on_click=lambda: ss.update({f"{K}contact": ids}),
        )
        return
    request = contact_form(
        form_key=f"{K}form_{n}",
        partner_ids=ids,
        team=True,
        default_needs=query.needs,
        button_label="Send to the team",
        title=f"**Ask these {len(ids)} partners to contact you together**",
    )
    if request is not None:
        ss[f"{K}sent"] = {"ids": ids, "contact_name": request.contact_name,
                          "contact_email": request.contact_email}  # fmt: skip
        ss.pop(f"{K}contact", None)
        st.rerun()


def render_team(team: Team, result: TeamResult, n: int) -> None:
    query = result.query
    size = len(team.members)
    title = "Best team" if n == 0 else f"Alternative {n}"
    with st.container(border=True, key=f"{K}team_{n}"):
        st.markdown(
            f"**{title}** · {size} partner{'s' if size > 1 else ''} · score {team.score:.0f}"
        )
        if n > 0:
            st.caption(escape_markdown(difference_from_best(result.teams[0], team)))
        left, right = st.columns([3, 2], gap="medium")
        with left:
            render_members(team, query)
        with right:
            if n == 0 or st.toggle("Show on a map", key=f"{K}map_on_{n}"):
                render_map(team, result, key=f"{K}map_{n}_{'-'.join(map(str, team.ids))}")
        with st.expander("Why this team"):
            st.markdown("\n".join(f"- {escape_markdown(line)}" for line in team.explanation))
        render_contact(team, query, n)


def render_empty(result: TeamResult) -> None:
    query = result.query
    if result.uncovered_needs:
        st.warning(escape_markdown(uncovered_text(result)), icon="🔍")
        for need in result.uncovered_needs:
            nearest = result.nearest_for_uncovered.get(need)
            if nearest is None:
                st.markdown(f"- {escape_markdown(label(need))}: no partner in the directory.")
                continue
            st.markdown(
                f"- {escape_markdown(label(need))}: the nearest is "
                f"[{escape_markdown(nearest.name)}](/partner_profile?id={nearest.partner_id})"
                + escape_markdown(f" in {nearest.hq_city}" if nearest.hq_city else "")
                + escape_markdown(f", {format_km(nearest.distance_km)} away.")
            )
        wider = wider_radius_km(result)
        if wider is not None:
            st.button(
                f"Search within {format_radius_km(wider)}",
                key=f"{K}widen",
                icon="📏",
                on_click=change_query,
                kwargs={"radius_km": wider},
            )
        kept = [n for n in query.needs if n not in result.uncovered_needs]
        if kept:
            dropped = ", ".join(label(n) for n in result.uncovered_needs)
            st.button(
                f"Leave out {dropped}",
                key=f"{K}drop",
                on_click=change_query,
                kwargs={"needs": kept},
            )
    elif result.smallest_size is not None:
        st.warning(escape_markdown(too_small_text(result)), icon="🧩")
        if result.smallest_size <= MAX_TEAM_SIZE:
            st.button(
                f"Allow teams of {result.smallest_size}",
                key=f"{K}grow",
                on_click=change_query,
                kwargs={"team_size": result.smallest_size},
            )


def record_team_demand(search: SearchQuery, result: TeamResult, team_size: int) -> None:
    """One anonymous "team" demand event per distinct team search whose best team needed an
    outside member (2+ partners); signed-in users' searches are not demand (Find partners)."""
    if account is not None or not result.teams or len(result.teams[0].members) < 2:
        return
    signature = (*search_signature(search), team_size)
    if ss.get(f"{K}recorded") != signature and record_visitor_demand(
        query=search, place=result.place, result_count=len(result.teams), kind=TEAM_KIND
    ):
        ss[f"{K}recorded"] = signature


# ---- results -------------------------------------------------------------------------------

with main:
    show_url_problems(url_problems, url_ignored)
    if not search.needs:
        st.info(
            "Choose what you need on the left – two or more things, say Security, Cloud "
            "and Financing – and where you are.",
            icon="👈",
        )
        st.stop()
    try:
        query = team_query_from_search(search, max_size=team_size)
        result = find_teams_in_index(directory_index(), query)
    except QueryError as exc:  # the place could not be found, or too many needs
        show_query_error(exc, K)
        st.stop()
    st.caption(escape_markdown(describe_search(search, result.place)))
    if result.place is None:
        st.info("Add your ZIP code or city to find partners near you; this looks nationwide.")
    if not result.teams:
        st.subheader("No team within these limits", anchor="teams")
        jump_to_teams.caption("[↓ Why no team was found](#teams)")
        render_empty(result)
        st.stop()
    record_team_demand(search, result, team_size)
    st.subheader(headline(result), anchor="teams")
    jump_to_teams.caption("[↓ Jump to the teams](#teams)")
    if result.size == 1:
        st.page_link(
            "pages/find_partners.py",
            label="See every partner that does",
            icon="🔎",
            query_params=params_of(search, max_size=3),
        )
    else:
        st.caption(
            f"No single partner nearby does; {count_noun(result.candidates, 'partner')} cover part."
        )
    st.caption("✅ certified at the level you asked for · ☑️ self-assessed (no certification yet)")
    for n, team in enumerate(result.teams):
        render_team(team, result, n)
    st.caption(
        "Teams are ranked by certified evidence on your needs (60 points), distance (25) and "
        "profile freshness (15). No partner pays for placement."
    )
