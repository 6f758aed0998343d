"""The team size of a shared link: odd digits fall back to the default with a notice."""

from __future__ import annotations

import pytest

from core.search.query import QueryError, SearchQuery
from core.teams.params import DEFAULT_TEAM_SIZE, team_query_from_search, team_size_from_params


@pytest.mark.parametrize("raw", ["²", "٣", "9" * 5000, "0", "6", "-1", "2.0"])
def test_a_team_size_that_is_not_1_to_5_in_ascii_digits_is_the_default_with_a_notice(
    raw: str,
) -> None:
    size, notice = team_size_from_params({"team_size": raw})
    assert size == DEFAULT_TEAM_SIZE
    assert notice is not None and len(notice) < 200


def test_a_team_size_in_range_is_taken() -> None:
    assert team_size_from_params({"team_size": " 4 "}) == (4, None)


def test_a_search_without_needs_is_a_query_error_for_the_team_builder() -> None:
    with pytest.raises(QueryError, match="need"):
        team_query_from_search(SearchQuery(), max_size=3)
