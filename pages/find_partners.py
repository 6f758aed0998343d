"""Find partners: breadth search for SMB owners, no sign-in.

The search lives in the URL (core.search.params): a copied link restores it. On every run
the URL is read into the widgets when it changed from outside (a fresh load, a shared link,
the home page's quick start, the back button); after the widgets, the query they describe
is written back (pages.parts.url_state).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from core.analytics.demand import (
    demand_visitor_key,
    is_demand_signal,
    search_signature,
)
from core.analytics.demand import (
    record_demand as record_demand_event,
)
from core.db import session_scope
from core.exports import audited_export
from core.formatting import count_noun, escape_markdown
from core.search.export import (
    MAX_EXPORT_ROWS,
    export_file_name,
    results_frame,
    results_to_csv,
)
from core.search.form import form_values, search_params
from core.search.params import IgnoredValue, query_to_params
from core.search.query import QueryError, SearchQuery
from core.search.ranking import search_index
from core.search.relaxation import is_poor, suggest_relaxations
from core.search.responsiveness import card_text as card_responsiveness
from core.search.text import (
    attribute_text,
    coverage_mark,
    coverage_text,
    describe_search,
    distance_text,
    flag_text,
    freshness_text,
)
from core.settings import get_settings
from pages import get_engine, setup_page
from pages.parts import search_memory
from pages.parts.contact import VISIT_KEY, visitor_address
from pages.parts.errors import database_unreachable, directory_index
from pages.parts.search_filters import find_filters, show_query_error, show_url_problems
from pages.parts.search_gc import freeze_long_lived
from pages.parts.url_state import UrlState

account = setup_page("Find partners", "🔎")
K = "find_"  # prefix of every session key of this page
SORTS = {
    "best": "Best match",
    "distance": "Nearest first",
    "breadth": "Widest coverage",
    "freshness": "Recently updated",
    "name": "Name A–Z",
    "rating": "Best rated (verified reviews)",
}
COMPARE_MAX = 4
STALE_BADGE = "Stale profile: not confirmed for over a year"
# Ten cards a page: the browser's work per filter change grows with the elements shown, and
# bench/browser_filter.py holds a filter change to 500 ms (p50) at 100,000 partners.
PAGE_SIZE = 10
ss = st.session_state


# ---- URL <-> widgets -------------------------------------------------------------------

URL = UrlState(K, own=search_params)


def apply_query(query: SearchQuery) -> None:
    """Show a query in the widgets (before they are drawn, or from a callback)."""
    values: dict[str, object] = form_values(query, prefix=K)
    if query.page == 1:  # let the pager start at its default instead of overriding it
        values[f"{K}page"] = None
    URL.show(values)
    ss[f"{K}sig"] = (*search_signature(query), query.sort)


def reset_search() -> None:
    apply_query(SearchQuery())


def sync_from_url() -> tuple[list[str], list[IgnoredValue]]:
    """Show the URL's search in the widgets when the URL changed from outside (a fresh load,
    a shared link, the back button) or the widgets were dropped on another page. A URL without
    a search gets the one last made on any search page (pages.parts.search_memory)."""
    search_memory.restore()
    if not URL.changed():
        return [], []
    url_query, problems, ignored = URL.search_from_url()
    apply_query(url_query)
    return problems, ignored


def current_query() -> tuple[SearchQuery | None, str | None]:
    """The query the widgets describe (a new search starts on page 1), written to the URL."""
    try:
        query = URL.search_from_widgets(page_size=PAGE_SIZE)
    except QueryError as exc:
        return None, str(exc)
    signature = (*search_signature(query), query.sort)
    if signature != ss.get(f"{K}sig"):
        ss[f"{K}sig"] = signature
        ss.pop(f"{K}page", None)  # the pager widget falls back to page 1
        query = query.model_copy(update={"page": 1})
    params = query_to_params(query)
    URL.write(params)
    search_memory.remember(params)  # for the other pages and "Back to your search"
    return query, None


def record_demand(query: SearchQuery, results: Any) -> None:
    """One anonymous demand event per distinct search, not per rerun or page turn."""
    if account is not None or not is_demand_signal(query) or database_unreachable():
        return
    signature = search_signature(query)
    if ss.get(f"{K}recorded") == signature:
        return
    try:
        visitor = demand_visitor_key(
            address=visitor_address(), session_id=ss.setdefault(VISIT_KEY, uuid.uuid4().hex)
        )
        with session_scope(get_engine()) as session:  # at most N per address and hour
            record_demand_event(
                session=session,
                query=query,
                place=results.place,
                result_count=results.total,
                visitor=visitor,
                limit=get_settings().demand_events_per_hour,
            )
    except SQLAlchemyError:
        return  # demand statistics must never cost the visitor the search
    ss[f"{K}recorded"] = signature


def render_card(r: Any, query: SearchQuery, now: datetime) -> None:
    # Few elements per card on purpose: the browser's work grows with the element count.
    with st.container(border=True):
        st.page_link(
            "pages/partner_profile.py",
            label=f"**{r.rank}. {escape_markdown(r.name)}**",
            query_params={"id": str(r.partner_id)},
        )
        facts = [f"HQ {r.hq_city}" if r.hq_city else "", distance_text(r.distance_km, r.reach)]
        facts.append(
            freshness_text(r.updated_at, r.verified_at, now=now, confirmed_at=r.confirmed_at)
        )
        facts.append(card_responsiveness(r.response_leads, r.response_within))
        if r.review_count:
            plural = "s" if r.review_count != 1 else ""
            facts.append(f"★ {r.review_avg:.1f} ({r.review_count} verified review{plural})")
        # escape_markdown escapes "]", so no text can close the :gray[…] directive early.
        lines = [":small[:gray[" + " · ".join(escape_markdown(f) for f in facts if f) + "]]"]
        served = attribute_text(r.industries, r.languages, r.delivery, r.accepting_new_clients)
        lines.append(":small[" + escape_markdown(served) + "]")
        if r.stale:
            lines[0] = f":orange-badge[{STALE_BADGE}] " + lines[0]
        if query.needs:
            lines += [
                f"{coverage_mark(c.claimed, c.evidenced, query.min_level)} "
                + escape_markdown(coverage_text(k, c.claimed, c.evidenced))
                for k, c in r.needs.items()
            ]
        else:
            lines.append(f"Covers **{r.breadth}** areas at proficient level or better.")
        lines += [
            "⚠️ " + escape_markdown(flag_text(k, r.needs[k].claimed, r.needs[k].evidenced))
            for k in r.flagged_claims
        ]
        st.markdown("  \n".join(lines))
        with st.expander("Why this rank"):
            st.markdown("\n".join(f"- {escape_markdown(line)}" for line in r.explanation))


def apply_relaxed(relaxed: SearchQuery) -> None:
    apply_query(relaxed)


def render_poor_results(index: Any, query: SearchQuery, results: Any) -> None:
    if results.total == 0:
        st.warning("No partner matches all of this.", icon="🔍")
    else:
        st.info("Few partners match all of this.")
    suggestions = suggest_relaxations(index, query, place=results.place)
    if suggestions:
        st.markdown(f"**{escape_markdown(suggestions[0].reason)}** You could:")
        for i, relax in enumerate(suggestions[:5]):
            st.button(
                f"{relax.label} → {count_noun(relax.result_count, 'partner')}",
                key=f"{K}relax_{i}",
                on_click=apply_relaxed,
                args=(relax.query,),
            )
    elif results.total == 0:
        st.markdown("Try another place, fewer needs or a lower level.")
    if len(query.needs) >= 2:
        st.markdown("No single partner covers everything? Several partners can, as a team.")
        st.page_link(
            "pages/team_builder.py",
            label="Look for a team of partners instead",
            icon="🤝",
            query_params=query_to_params(query.model_copy(update={"page": 1, "sort": "best"})),
        )


def render_pager(results: Any) -> None:
    if results.page_count > 1:
        st.pagination(results.page_count, key=f"{K}page", max_visible_pages=7)


def render_compare_picker(results: Any, query: SearchQuery) -> None:
    """Pick 2 to 4 partners of any result page to compare.

    The widget has a key and no ``default=``: a key-less multiselect whose default (last run's
    picks) and options change on every pick became a new widget on each rerun, and every
    second pick was lost (issue 16). The picks are also kept under a key of their own, because
    Streamlit drops a widget's state when the widget is not drawn (another page, < 2 results).
    """
    names = ss.setdefault(f"{K}compare_names", {})
    names.update({r.partner_id: r.name for r in results.results})
    widget_key, kept_key = f"{K}compare", f"{K}compare_kept"
    if widget_key not in ss:
        ss[widget_key] = [pid for pid in ss.get(kept_key, []) if pid in names]
    chosen = [pid for pid in ss[widget_key] if pid in names]
    options = list(dict.fromkeys([*chosen, *(r.partner_id for r in results.results)]))
    picked = st.multiselect(
        "Compare partners side by side",
        options,
        key=widget_key,
        format_func=lambda pid: names.get(pid, f"Partner {pid}"),
        max_selections=COMPARE_MAX,
        placeholder="Pick 2 to 4 partners",
        wrap=True,  # every chosen name in full, also on a phone
    )
    ss[kept_key] = picked
    if len(picked) >= 2:
        compare_params = {"ids": ",".join(str(pid) for pid in picked)}
        if query.near:
            compare_params["near"] = query.near
        st.page_link(
            "pages/compare_partners.py",
            label=f"Compare {len(picked)} partners",
            icon="⚖️",
            query_params=compare_params,
        )


def render_results(query: SearchQuery, jump_to_results: Any) -> None:
    index = directory_index()
    try:
        results = search_index(index, query)
        if results.total and query.page > results.page_count:  # an old link, fewer results now
            query = query.model_copy(update={"page": results.page_count})
            ss[f"{K}page"] = query.page
            results = search_index(index, query)
    except QueryError as exc:  # the place could not be found
        show_query_error(exc, K)
        return
    freeze_long_lived(index)  # the index and place lookups are loaded by now
    record_demand(query, results)
    now = datetime.now(UTC)

    with st.container(key="find_result_count"):
        noun = "partner matches" if results.total == 1 else "partners match"
        st.subheader(f"{results.total:,} {noun}", anchor="results")
    jump_to_results.caption(f"[↓ Jump to the results ({results.total:,})](#results)")
    st.caption(escape_markdown(describe_search(query, results.place)))
    if is_poor(results.total):
        render_poor_results(index, query, results)
    if results.total:
        engine = get_engine()  # the download runs on another thread: no Streamlit calls there
        sort_col, view_col, csv_col = st.columns([1.3, 1, 1], vertical_alignment="bottom")
        sort_col.selectbox("Sort by", list(SORTS), key=f"{K}sort", format_func=SORTS.get)
        view = view_col.segmented_control(
            "Show as", ["Cards", "Table"], default="Cards", key=f"{K}view"
        )
        csv_col.download_button(
            "Download CSV",
            data=lambda: audited_export(
                engine=engine,
                actor=account,
                what="search results",
                build=lambda: results_to_csv(index=index, query=query, now=now),
                details={"search": query_to_params(query)},
            ),
            file_name=export_file_name(query),
            mime="text/csv",
            icon="⬇️",
            on_click="ignore",
            help=f"Every matching partner, best first (at most {MAX_EXPORT_ROWS:,}).",
        )
        if view == "Table":
            st.dataframe(
                results_frame(results, now=now),
                hide_index=True,
                column_config={"Profile": st.column_config.LinkColumn(display_text="Open")},
            )
        else:
            for result in results.results:
                render_card(result, query, now)
        render_pager(results)
        if results.total >= 2:
            render_compare_picker(results, query)
    st.caption(
        "Ranking is transparent: coverage of your needs, certified evidence, distance, "
        "profile freshness (none for a profile not confirmed for a year) and a small part for "
        "answering leads within 2 business days. No partner pays for placement."
    )


# A fragment: a filter change reruns only the search, not the app's navigation and sidebar,
# which keeps the browser's work per change small.
@st.fragment
def search_page() -> None:
    url_problems, url_ignored = sync_from_url()
    filters, main = st.columns([1.2, 2.5], gap="large")
    with filters:
        jump_to_results = st.empty()  # filled once the count is known: phones stack columns
        find_filters(K, on_reset=reset_search)
    query, input_error = current_query()
    with main:
        show_url_problems(url_problems, url_ignored)
        if query is None:
            st.error(f"Please check the search: {escape_markdown(str(input_error))}")
        else:
            render_results(query, jump_to_results)


search_page()
