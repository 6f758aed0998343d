"""Team builder against a small hand-made directory in real places (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import Engine

from core.search.index import ReadIndexHolder
from core.search.query import QueryError
from core.taxonomy import get_taxonomy
from core.teams.complements import UnknownPartnerError, closing_team, find_complements, partner_gaps
from core.teams.finder import find_teams
from core.teams.query import TeamQuery, parse_team_query
from tests.public_directory import (
    AUSTIN,
    DALLAS,
    ROUND_ROCK,
    SAN_MARCOS,
    commit_partner,
    create_directory,
)

PARTNERS: dict[str, dict[str, Any]] = {
    # Certified security and backup, nothing else.
    "secure": {
        "name": "Austin Secure Backup",
        "zips": (AUSTIN,),
        "levels": {"security": 3, "storage_backup": 2},
        "certs": ("fortinet-nse4", "veeam-vmce"),
    },
    # Cloud and financing, claims only, a little farther.
    "cloud": {
        "name": "Round Rock Cloud & Capital",
        "zips": (ROUND_ROCK,),
        "levels": {"cloud": 3, "financing": 2},
    },
    # Cloud backed by a certification, but no financing.
    "certified_cloud": {
        "name": "San Marcos Azure Works",
        "zips": (SAN_MARCOS,),
        "levels": {"cloud": 2},
        "certs": ("microsoft-az-104",),
    },
    # Only in Dallas (about 300 km away): the one who offers print services.
    "dallas_print": {
        "name": "Dallas Print & Imaging",
        "zips": (DALLAS,),
        "levels": {"print_services": 3},
    },
}


@pytest.fixture
def directory(db_engine: Engine) -> dict[str, int]:
    return create_directory(db_engine, PARTNERS)


def test_team_of_two_covers_needs_no_single_partner_covers(
    db_engine: Engine, directory: dict[str, int]
) -> None:
    query = TeamQuery(needs=["security", "cloud", "financing"], near=AUSTIN, radius_km=80)

    result = find_teams(engine=db_engine, query=query)

    assert result.size == 2
    best = result.teams[0]
    assert best.ids == tuple(sorted((directory["secure"], directory["cloud"])))
    assert best.assignment == {
        "security": directory["secure"],
        "cloud": directory["cloud"],
        "financing": directory["cloud"],
    }
    as_json = result.to_json_dict()
    member = next(
        m for m in as_json["teams"][0]["members"] if m["partner_id"] == directory["cloud"]
    )
    assert member["name"] == "Round Rock Cloud & Capital"
    assert member["covers"] == ["cloud", "financing"]
    assert 20 < member["distance_km"] < 40
    assert as_json["uncovered_needs"] == []
    assert as_json["nearest_for_uncovered"] == {}


def test_alternatives_rank_by_evidence_then_distance(
    db_engine: Engine, directory: dict[str, int]
) -> None:
    query = TeamQuery(needs=["security", "cloud"], near=AUSTIN, radius_km=80)

    result = find_teams(engine=db_engine, query=query)

    assert result.size == 2
    # Round Rock claims expert cloud (strength 0.5 unbacked); San Marcos's proficient cloud is
    # certified (strength 0.67), so the certified team ranks first.
    assert [t.ids for t in result.teams] == [
        tuple(sorted((directory["secure"], directory["certified_cloud"]))),
        tuple(sorted((directory["secure"], directory["cloud"]))),
    ]
    assert result.teams[0].score > result.teams[1].score
    assert "Certifications back every need." in result.teams[0].explanation


def test_evidence_only_ignores_claims_for_technology(
    db_engine: Engine, directory: dict[str, int]
) -> None:
    query = TeamQuery(needs=["security", "cloud"], near=AUSTIN, evidence_only=True)

    result = find_teams(engine=db_engine, query=query)

    assert [t.ids for t in result.teams] == [
        tuple(sorted((directory["secure"], directory["certified_cloud"])))
    ]


def test_need_nobody_nearby_covers_is_reported_with_the_nearest_partner(
    db_engine: Engine, directory: dict[str, int]
) -> None:
    query = TeamQuery(needs=["security", "print_services"], near=AUSTIN, radius_km=80)

    result = find_teams(engine=db_engine, query=query)

    assert result.size is None
    assert result.teams == []
    assert result.uncovered_needs == ["print_services"]
    nearest = result.nearest_for_uncovered["print_services"]
    assert nearest.partner_id == directory["dallas_print"]
    assert 280 < nearest.distance_km < 320


def test_team_size_limit_says_how_many_partners_it_would_take(
    db_engine: Engine, directory: dict[str, int]
) -> None:
    query = TeamQuery(needs=["security", "cloud", "financing"], near=AUSTIN, max_size=1)

    result = find_teams(engine=db_engine, query=query)

    assert result.size is None
    assert result.uncovered_needs == []
    assert result.smallest_size == 2


def test_new_partner_is_found_after_the_index_refreshes(
    db_engine: Engine, directory: dict[str, int]
) -> None:
    holder = ReadIndexHolder(engine=db_engine)
    query = TeamQuery(needs=["security", "cloud", "financing"], near=AUSTIN)
    assert find_teams(engine=db_engine, query=query, holder=holder).size == 2

    all_in_one = commit_partner(
        db_engine,
        name="Austin All-in-One",
        zips=(AUSTIN,),
        levels={"security": 2, "cloud": 2, "financing": 2},
    )

    result = find_teams(engine=db_engine, query=query, holder=holder)
    assert result.size == 1
    assert result.teams[0].ids == (all_in_one,)


def test_team_query_rejects_bad_input_with_readable_messages() -> None:
    with pytest.raises(QueryError, match="at least one need"):
        parse_team_query({"needs": []})
    with pytest.raises(QueryError, match="unknown need"):
        parse_team_query({"needs": ["teleportation"]})
    with pytest.raises(QueryError, match="max_size"):
        parse_team_query({"needs": ["cloud"], "max_size": 6})
    with pytest.raises(QueryError, match="unknown region"):
        parse_team_query({"needs": ["cloud"], "region": "atlantis"})


# ---- partner-to-partner ---------------------------------------------------------------------


def test_complements_fill_a_partners_gaps_and_say_what_each_adds(
    db_engine: Engine, directory: dict[str, int]
) -> None:
    index = ReadIndexHolder(engine=db_engine).get()
    gaps = partner_gaps(index=index, partner_id=directory["secure"])
    assert gaps.strengths == ["security", "storage_backup"]
    assert "cloud" in gaps.gaps and "financing" in gaps.gaps

    found = find_complements(index=index, partner_id=directory["secure"], radius_km=80)

    # Dallas is beyond the radius; the partner itself is never its own complement. Round Rock
    # fills two gaps on claims alone, San Marcos one with a certification.
    assert [c.partner_id for c in found] == [directory["cloud"], directory["certified_cloud"]]
    round_rock = found[0]
    assert round_rock.fills == ["cloud", "financing"]
    assert [(a.key, a.certified) for a in round_rock.adds] == [
        ("cloud", False),
        ("financing", False),
    ]
    assert found[1].adds[0].certified is True


def test_closing_team_is_the_smallest_team_of_others_that_fills_every_gap(
    db_engine: Engine, directory: dict[str, int]
) -> None:
    index = ReadIndexHolder(engine=db_engine).get()

    nearby = closing_team(index=index, partner_id=directory["secure"], radius_km=80)
    assert nearby is not None and nearby.teams == []
    assert "print_services" in nearby.uncovered_needs  # only Dallas prints, 300 km away
    assert nearby.nearest_for_uncovered["print_services"].partner_id == directory["dallas_print"]

    almost = commit_partner(
        db_engine,
        name="Austin Almost Everything",
        zips=(AUSTIN,),
        levels={
            k: 2
            for k in get_taxonomy().area_keys
            if k not in ("cloud", "financing", "print_services")
        },
    )
    index = ReadIndexHolder(engine=db_engine).get()

    team = closing_team(index=index, partner_id=almost, radius_km=400)

    assert team is not None and team.size == 2
    best = team.teams[0]
    assert best.ids == tuple(sorted((directory["cloud"], directory["dallas_print"])))
    assert best.assignment == {
        "cloud": directory["cloud"],
        "financing": directory["cloud"],
        "print_services": directory["dallas_print"],
    }


def test_unknown_partner_is_reported_for_complements(
    db_engine: Engine, directory: dict[str, int]
) -> None:
    index = ReadIndexHolder(engine=db_engine).get()
    with pytest.raises(UnknownPartnerError):
        find_complements(index=index, partner_id=999_999)


def test_cli_team_command_prints_each_team_with_who_covers_which_need(
    db_url: str,
    db_engine: Engine,
    directory: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from core.cli import main

    monkeypatch.setenv("DATABASE_URL", db_url)
    code = main(
        ["team", "--needs", "security,cloud,financing", "--near", AUSTIN, "--radius-km", "80",
         "--max-size", "3", "--format", "json"]
    )  # fmt: skip

    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["size"] == 2
    best = data["teams"][0]
    covers = {m["partner_id"]: m["covers"] for m in best["members"]}
    assert covers == {
        directory["secure"]: ["security"],
        directory["cloud"]: ["cloud", "financing"],
    }
    assert best["assignment"]["financing"] == directory["cloud"]
    assert data["uncovered_needs"] == [] and data["nearest_for_uncovered"] == {}
