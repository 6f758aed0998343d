"""The visitor's last search, remembered across Find partners, Build a team and the map.

Each of the three pages keeps its search in the URL (pages.parts.url_state); a sidebar link
carries no parameters, so without a memory the next page would start empty (issue 16: the map
reached from the sidebar showed "All partners"). Every page ``remember``s its search whenever
it writes it to the URL; a page opened without search parameters ``restore``s it into the URL
before reading it, so the link stays shareable. Parameters in the URL always win.

The memory is the same key the profile and compare pages read for "Back to your search".
Clearing a search (Find partners' "Start over") writes an empty search, which empties it.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from core.search.form import search_params

MEMORY_KEY = "last_search_params"


def remember(params: Mapping[str, str]) -> None:
    """Keep the search parameters of a page's URL (its own settings are left out)."""
    st.session_state[MEMORY_KEY] = search_params(params)


def recall() -> dict[str, str]:
    return dict(st.session_state.get(MEMORY_KEY) or {})


def restore() -> None:
    """A URL without search parameters gets the remembered search; any other is left alone."""
    current = st.query_params.to_dict()
    remembered = recall()
    if remembered and not search_params(current):
        st.query_params.from_dict(current | remembered)
