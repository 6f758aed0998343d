"""Links with numbers that are not ASCII digits (AppTest): a sentence, never a traceback."""

from __future__ import annotations

import pytest

from core.directory.compare import CompareError, parse_compare_ids
from core.teams.params import team_size_from_params
from tests.app.public_pages import assert_no_exception, open_page, texts

pytest_plugins = ["tests.app.public_fixtures"]


@pytest.mark.parametrize("raw", ["²", "٣", "7" * 5000])
def test_a_profile_link_with_a_non_ascii_or_huge_id_explains(public_app, raw: str) -> None:
    at = open_page("partner_profile.py", id=raw)
    assert_no_exception(at)
    assert "the id must be a number" in texts(at)


@pytest.mark.parametrize("raw", ["²", "３", "9" * 5000])
def test_team_size_and_compare_ids_accept_ascii_digits_only(raw: str) -> None:
    size, problem = team_size_from_params({"team_size": raw})
    assert problem and size == 3
    with pytest.raises(CompareError):
        parse_compare_ids(f"1,{raw}")
