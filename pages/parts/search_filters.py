"""The filter panels of Find partners and Build a team, built from the widgets they share.

Every widget keeps its value in session state under ``prefix`` + the field name, the keys
``core.search_form`` reads and writes, so each page holds its own search.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from core.formatting import escape_markdown
from core.geo.states import STATE_NAMES
from core.models import MaxLength
from core.partner_attributes import get_attributes
from core.search.form import industry_key, language_key, need_key
from core.search.params import IgnoredValue
from core.search.query import MAX_RADIUS_KM, PlaceNotFoundError, QueryError
from core.taxonomy import BUSINESS_SERVICES, FOUNDATIONAL, TECHNOLOGY, get_taxonomy
from core.teams.query import MAX_TEAM_SIZE

LEVELS = get_taxonomy().level_labels(at_least=FOUNDATIONAL)


def show_url_problems(problems: list[str], ignored: Sequence[IgnoredValue] = ()) -> None:
    for value in ignored:  # the notice quotes the link's own text
        st.warning(escape_markdown(value.notice), icon="🔗")
    for problem in problems:
        st.error(
            "This link has a value that cannot be used, so it was left out: "
            + escape_markdown(problem)  # the problem quotes the link's own text
        )


def show_query_error(exc: QueryError, prefix: str) -> None:
    """A search that cannot run; a misspelled place offers its suggestion as one click."""
    st.error(escape_markdown(str(exc)), icon="📍")  # it quotes the place typed
    suggestion = exc.suggestion if isinstance(exc, PlaceNotFoundError) else None
    if suggestion:

        def use_suggestion() -> None:
            st.session_state[f"{prefix}near"] = suggestion

        st.button(
            f"Did you mean {suggestion}?",
            key=f"{prefix}place_suggestion",
            on_click=use_suggestion,
            icon=":material/location_on:",
        )


def need_checkboxes(prefix: str) -> None:
    """A checkbox per area, grouped; a group with a choice in it stays open."""
    taxonomy = get_taxonomy()
    st.markdown("**What do you need?**")
    for group in (TECHNOLOGY, BUSINESS_SERVICES):
        areas = [a for a in taxonomy.areas if a.group == group]
        chosen = sum(bool(st.session_state.get(need_key(prefix, a.key))) for a in areas)
        title = taxonomy.group_labels[group] + (f" · {chosen} chosen" if chosen else "")
        with st.expander(title, expanded=group == TECHNOLOGY or chosen > 0):
            for area in areas:
                st.checkbox(area.label, key=need_key(prefix, area.key), help=area.description)


def size_select(prefix: str) -> None:
    taxonomy = get_taxonomy()
    labels = {s.key: s.label for s in taxonomy.segments}
    st.selectbox(
        "Your company size",
        ["", *taxonomy.segment_keys],
        key=f"{prefix}size",
        format_func=lambda k: labels.get(k, "Any size"),
    )


def level_select(prefix: str, *, help_text: str | None = None) -> None:
    st.selectbox(
        "Minimum level for each need",
        list(LEVELS),
        key=f"{prefix}level",
        format_func=LEVELS.get,
        help=help_text,
    )


def evidence_checkbox(prefix: str) -> None:
    st.checkbox(
        "Certified levels only",
        key=f"{prefix}evidence",
        help="Count only what approved, unexpired certifications prove, not self-assessment.",
    )


def responsive_checkbox(prefix: str) -> None:
    st.checkbox(
        "Answers within 2 business days",
        key=f"{prefix}responsive",
        help="Only partners that answered at least half of their leads within 2 business days "
        "(Monday to Friday), judged on 5 or more leads in the last 12 months.",
    )


def vendor_select(prefix: str) -> None:
    st.selectbox(
        "Certified with vendor",
        ["", *get_taxonomy().vendors],
        key=f"{prefix}vendor",
        format_func=lambda v: v or "Any vendor",
    )


def region_select(prefix: str) -> None:
    taxonomy = get_taxonomy()
    st.selectbox(
        "Region",
        ["", *(r.key for r in taxonomy.regions)],
        key=f"{prefix}region",
        format_func=lambda k: taxonomy.region(k).label if k else "Any region",
    )


def radius_input(prefix: str, *, help_text: str) -> None:
    st.number_input(
        "Within (km)",
        min_value=1,
        max_value=int(MAX_RADIUS_KM),
        step=10,
        key=f"{prefix}radius",
        help=help_text,
    )


def attribute_filters(prefix: str) -> None:
    """Industries, languages (a checkbox each: all ticked must match), delivery, accepting."""
    attributes = get_attributes()
    state = st.session_state
    chosen = sum(bool(state.get(industry_key(prefix, k))) for k in attributes.industries)
    chosen += sum(bool(state.get(language_key(prefix, k))) for k in attributes.languages)
    chosen += bool(state.get(f"{prefix}delivery")) + bool(state.get(f"{prefix}accepting"))
    title = "Industry, language, delivery" + (f" · {chosen} chosen" if chosen else "")
    with st.expander(title, expanded=chosen > 0):
        st.checkbox("Accepting new clients", key=f"{prefix}accepting")
        st.selectbox(
            "Delivery",
            ["", "remote", "on_site"],
            key=f"{prefix}delivery",
            format_func=lambda k: {"remote": "Remote", "on_site": "On-site"}.get(k, "Any"),
            help="A partner delivering both remotely and on-site matches either.",
        )
        st.markdown("**Industry served**")
        for key, label in attributes.industries.items():
            st.checkbox(label, key=industry_key(prefix, key))
        st.markdown("**Speaks**")
        for key, label in attributes.languages.items():
            st.checkbox(label, key=language_key(prefix, key))


def find_filters(prefix: str, *, on_reset: Callable[[], None]) -> None:
    """The filters of Find partners, most used first, and a button that starts over."""
    need_checkboxes(prefix)
    st.text_input(
        "Near (ZIP code or City, ST)",
        key=f"{prefix}near",
        max_chars=MaxLength.SEARCH_PLACE,
        placeholder="78701 or Austin, TX",
        help="Leave empty to search the whole country.",
    )
    radius_input(prefix, help_text=f"1 to {MAX_RADIUS_KM:,.0f} km. 80 km is about 50 miles.")
    st.checkbox(
        "Include partners who travel",
        key=f"{prefix}service_area",
        help="Also partners whose service area (a radius or whole states) covers your place.",
    )
    size_select(prefix)
    levels = "\n\n".join(f"**{lv.label}**: {lv.description}" for lv in get_taxonomy().levels[1:])
    level_select(prefix, help_text=levels)
    evidence_checkbox(prefix)
    responsive_checkbox(prefix)
    st.text_input(
        "Keyword",
        key=f"{prefix}q",
        max_chars=MaxLength.SEARCH_KEYWORD,
        placeholder="e.g. law firms, Veeam",
    )
    with st.expander("More filters"):
        st.multiselect(
            "States with an office",
            sorted(STATE_NAMES),
            key=f"{prefix}states",
            format_func=lambda c: f"{STATE_NAMES[c]} ({c})",
        )
        region_select(prefix)
        vendor_select(prefix)
    attribute_filters(prefix)
    st.button("Start over", on_click=on_reset, icon=":material/restart_alt:", key=f"{prefix}reset")


def team_filters(prefix: str) -> None:
    """The filters of Build a team: the search's, plus how large a team may be."""
    need_checkboxes(prefix)
    st.text_input(
        "Near (ZIP code or City, ST)",
        key=f"{prefix}near",
        max_chars=MaxLength.SEARCH_PLACE,
        placeholder="78701",
    )
    radius_input(prefix, help_text="80 km is about 50 miles.")
    st.selectbox(
        "Team of at most",
        list(range(1, MAX_TEAM_SIZE + 1)),
        key=f"{prefix}team_size",
        format_func=lambda n: f"{n} partner{'s' if n > 1 else ''}",
    )
    level_select(prefix)
    evidence_checkbox(prefix)
    st.checkbox("Include partners that travel to you", key=f"{prefix}service_area")
    with st.expander("More filters"):
        size_select(prefix)
        vendor_select(prefix)
        st.text_input("Keyword", key=f"{prefix}q", max_chars=MaxLength.SEARCH_KEYWORD)
        st.multiselect("States with an office", sorted(STATE_NAMES), key=f"{prefix}states")
        region_select(prefix)
