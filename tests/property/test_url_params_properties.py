"""Random URL query parameters for Find partners and the team builder: a query, a notice or
the module's own QueryError, never another exception."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from core.search.form import lenient_query_from_params
from core.search.params import (
    KEYED_PARAMS,
    PARAM_FIELDS,
    known_values,
    query_from_params,
    query_to_params,
)
from core.search.query import QueryError
from core.taxonomy import get_taxonomy
from core.teams.params import (
    DEFAULT_TEAM_SIZE,
    TEAM_SIZE_PARAM,
    params_of,
    team_params,
    team_query_from_search,
    team_size_from_params,
)
from core.teams.query import MAX_TEAM_SIZE

TAXONOMY = get_taxonomy()
AWKWARD = [
    "",
    " ",
    "0",
    "1",
    "3",
    "true",
    "²",
    "٣",
    "१",
    "½",
    "9" * 5000,
    "-" + "9" * 5000,
    "1e999",
    "nan",
    "inf",
    "-0",
    "1_000",
    "0x10",
    "78701",
    "San Juan, PR",
    "%C2%B2",
    "security,cloud,nope",
    ",,,",
    "tx,CA,zz",
    "\x00",
    "x" * 5000,
    *TAXONOMY.segment_keys,
    *TAXONOMY.area_keys[:3],
]
values = st.one_of(
    st.sampled_from(AWKWARD),
    st.text(max_size=20),
    st.lists(st.one_of(st.sampled_from(AWKWARD), st.text(max_size=8)), max_size=3),
)
names = st.one_of(st.sampled_from([*PARAM_FIELDS, TEAM_SIZE_PARAM]), st.text(max_size=6))
url_params = st.dictionaries(names, values, max_size=8)


@given(params=url_params)
def test_find_partners_params_give_a_query_or_a_query_error(params: dict[str, Any]) -> None:
    try:
        query = query_from_params(params)
    except QueryError as exc:
        assert str(exc).strip()
        return
    # Whatever a link restores, writing it back out restores the same search.
    assert query_from_params(query_to_params(query)) == query


@given(params=url_params)
def test_the_lenient_reading_of_a_link_never_fails(params: dict[str, Any]) -> None:
    # What the pages call: bad values become sentences, unknown keys notices.
    query, problems, ignored = lenient_query_from_params(params)
    assert all(i.notice.strip() for i in ignored)
    assert all(p.strip() and len(p) < 300 for p in problems)
    assert query_from_params(query_to_params(query)) == query


@given(name=st.sampled_from(sorted(KEYED_PARAMS)), raw=values)
def test_keyed_params_keep_known_keys_and_name_the_rest(name: str, raw: Any) -> None:
    kept, ignored = known_values(name, raw)
    assert all(i.notice.strip() and len(i.notice) < 120 for i in ignored)
    if name == "needs" and kept:
        assert set(kept.split(",")) <= set(TAXONOMY.area_keys)


@given(params=url_params)
def test_team_size_is_a_number_in_range_or_the_default_with_a_notice(
    params: dict[str, Any],
) -> None:
    size, notice = team_size_from_params(params)
    assert 1 <= size <= MAX_TEAM_SIZE
    if notice is not None:
        assert size == DEFAULT_TEAM_SIZE and len(notice) < 200


@given(size=st.sampled_from(["9" * 5000, "²", "٣", "3²", " 2 ", "+2", "-1", "0", "1e1"]))
def test_team_sizes_people_and_attackers_type_never_crash(size: str) -> None:
    assert team_size_from_params({TEAM_SIZE_PARAM: size})[0] in range(1, MAX_TEAM_SIZE + 1)


@given(params=url_params)
def test_team_builder_params_give_a_team_query_or_a_query_error(params: dict[str, Any]) -> None:
    size, _ = team_size_from_params(params)
    try:
        search = query_from_params(team_params(params))
        team = team_query_from_search(search, max_size=size)
    except QueryError as exc:
        assert str(exc).strip()
        return
    assert team.max_size == size and team.needs
    assert query_from_params(params_of(search, max_size=size)) == search.model_copy(
        update={"sort": "best", "page": 1}
    )
