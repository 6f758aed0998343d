"""Widgets ⇄ URL: one way for every page whose state lives in a shareable link.

A page keeps its widgets' values in session state under ``prefix`` + name. On every run:

1. ``changed()``: did the URL change from outside (a fresh load, a shared link, the back
   button, another page's link), or were the widgets dropped (another page was open)? Then
   the page reads the URL into a query with core (``core.search.form``, ``core.teams.params``)
   and ``show``s it in the widgets, before drawing them.
2. The page draws its widgets and builds its query from them (``search_from_widgets``).
3. ``write(params)``: the URL form of that query (``core.search.params.query_to_params``…),
   written only when it differs and remembered, so step 1 can tell it from an outside change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import streamlit as st

from core.search.form import lenient_query_from_params, query_fields
from core.search.params import IgnoredValue
from core.search.query import SearchQuery, parse_query

T = TypeVar("T")


@dataclass(frozen=True)
class UrlState:
    """The URL parameters a page owns and the widgets that show them.

    ``own`` keeps the page's parameters of a URL (``core.search.form.search_params`` …);
    ``anchor`` names a widget the page draws on every run: when its key is gone, Streamlit
    dropped the page's widgets, and the URL is shown in them again.
    """

    prefix: str
    own: Callable[[Mapping[str, Any]], dict[str, str]]
    anchor: str = "near"

    @property
    def _written_key(self) -> str:
        return f"{self.prefix}written"

    def params(self) -> dict[str, str]:
        """This page's parameters in the current URL."""
        return self.own(st.query_params.to_dict())

    def changed(self) -> bool:
        """Whether the widgets must show the URL: it changed from outside, or they are gone."""
        state = st.session_state
        return self.params() != state.get(self._written_key) or self.key(self.anchor) not in state

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def show(self, values: Mapping[str, Any], *, only_missing: bool = False) -> None:
        """Put values into the widgets (before they are drawn, or from a callback).

        A None value removes the key, so that widget starts at its default; ``only_missing``
        refills only widgets Streamlit dropped (one the page did not draw on the last run).
        """
        state = st.session_state
        for key, value in values.items():
            if only_missing and key in state:
                continue
            if value is None:
                state.pop(key, None)
            else:
                state[key] = value

    def write(self, params: Mapping[str, str]) -> None:
        """Put the query the widgets describe into the URL, when it is not there already."""
        params = dict(params)
        if params != self.params():
            st.query_params.from_dict(params)
        st.session_state[self._written_key] = params

    # ---- the search form shared by Find partners and Build a team ---------------------------

    def search_from_url(self) -> tuple[SearchQuery, list[str], list[IgnoredValue]]:
        """The URL's search, leaving out (and naming) each value that cannot be used, and
        the unknown keys of its lists (``show_url_problems`` shows both)."""
        return lenient_query_from_params(self.params())

    def search_from_widgets(self, **fields: Any) -> SearchQuery:
        """The search the widgets describe (raises QueryError with a readable message)."""
        return parse_query(query_fields(st.session_state, prefix=self.prefix) | fields)

    def choice(self, name: str, options: Sequence[T], default: T) -> T:
        """A setting of the URL that must be one of ``options``; anything else is the default."""
        raw = self.params().get(name)
        return next((option for option in options if str(option) == raw), default)
