"""A team search <-> URL query parameters.

The team builder shares the Find partners parameters (``core.query_params``: needs, near,
radius, level, evidence, …) so the search page's empty state can link here with the same
query, and adds one of its own: ``team_size``, the largest team to consider.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.formatting import is_ascii_whole_number
from core.search.params import PARAM_FIELDS, query_to_params
from core.search.query import SearchQuery
from core.teams.query import MAX_TEAM_SIZE, TeamQuery, parse_team_query

TEAM_SIZE_PARAM = "team_size"
DEFAULT_TEAM_SIZE = 3
# Find partners parameters that mean nothing for a team (teams are ranked, not paged).
_SEARCH_ONLY = {"sort", "page"}


def team_params(params: Mapping[str, Any]) -> dict[str, str]:
    """Only the URL parameters that belong to a team search."""
    wanted = (set(PARAM_FIELDS) - _SEARCH_ONLY) | {TEAM_SIZE_PARAM}
    return {k: str(v) for k, v in params.items() if k in wanted}


def team_size_from_params(params: Mapping[str, Any]) -> tuple[int, str | None]:
    """The team size of a link, or the default and a sentence saying why it was left out."""
    raw = params.get(TEAM_SIZE_PARAM)
    if raw is None or str(raw).strip() == "":
        return DEFAULT_TEAM_SIZE, None
    text = str(raw).strip()
    if is_ascii_whole_number(text, max_digits=3) and 1 <= int(text) <= MAX_TEAM_SIZE:
        return int(text), None
    shown = text if len(text) <= 20 else text[:20] + "…"
    return DEFAULT_TEAM_SIZE, (
        f"The team size must be a whole number from 1 to {MAX_TEAM_SIZE} (the link says “{shown}”)."
    )


def team_query_from_search(
    search: SearchQuery, *, max_size: int, alternatives: int = 5
) -> TeamQuery:
    """The team search for the same needs, place and filters as a Find partners search.

    Raises QueryError (with a message for the visitor) when the search cannot be a team
    search, e.g. no needs or more needs than a team search covers.
    """
    fields = search.model_dump(exclude={"sort", "page", "page_size"})
    return parse_team_query(fields | {"max_size": max_size, "alternatives": alternatives})


def params_of(search: SearchQuery, *, max_size: int) -> dict[str, str]:
    """The URL form of a team search; the team size only when it is not the default."""
    params = {k: v for k, v in query_to_params(search).items() if k not in _SEARCH_ONLY}
    if max_size != DEFAULT_TEAM_SIZE:
        params[TEAM_SIZE_PARAM] = str(max_size)
    return params
