"""``search`` and ``team``: a query from the options, its result as JSON or a short table."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import ValidationError

from core.commands.runtime import OK, fail, open_engine
from core.search.query import parse_query
from core.search.ranking import search_directory
from core.teams.finder import find_teams
from core.teams.query import parse_team_query

# The query fields each command passes on; core.cli defines an option for each.
SEARCH_FIELDS = (
    "needs",
    "min_level",
    "evidence_only",
    "near",
    "radius_km",
    "include_service_area",
    "states",
    "region",
    "segment",
    "vendor",
    "keyword",
    "responsive",
    "industries",
    "languages",
    "delivery",
    "accepting_only",
    "sort",
    "page",
    "page_size",
)
TEAM_FIELDS = (
    "needs",
    "min_level",
    "evidence_only",
    "near",
    "radius_km",
    "max_size",
    "include_service_area",
    "alternatives",
    "states",
    "region",
    "segment",
    "vendor",
    "keyword",
)


def _query_fields(args: argparse.Namespace, names: Sequence[str]) -> dict[str, Any]:
    """Only the options given: the query models own the defaults."""
    return {name: value for name in names if (value := getattr(args, name, None)) is not None}


def _query_command(
    args: argparse.Namespace,
    names: Sequence[str],
    parse: Callable[[dict[str, Any]], Any],
    run: Callable[..., Any],
    print_table: Callable[[dict[str, Any]], None],
) -> int:
    """Parse the options into a query, run it, print JSON or a table; search and team."""
    fields = _query_fields(args, names)
    try:
        query = parse(fields)  # before open_engine(): an invalid query creates no database
        result = run(engine=open_engine(), query=query)
    except ValidationError as exc:
        return fail(
            "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'query'}: "
                f"{str(e['msg']).removeprefix('Value error, ')}"
                for e in exc.errors()
            )
        )
    except ValueError as exc:  # QueryError, UnknownPlaceError: messages meant for people
        return fail(str(exc))
    data = result.to_json_dict()
    if args.format == "json":
        print(json.dumps(data, indent=2))
    else:
        print_table(data)
    return OK


def _print_results(data: dict[str, Any]) -> None:
    print(f"{data['total']:,} partners (page {data['page']})")
    for r in data["results"]:
        distance = "" if r.get("distance_km") is None else f"{r['distance_km']:.0f} km"
        print(f"{r['partner_id']:>8}  {r['score']:>6.1f}  {distance:>8}  {r['name']}")


def _print_teams(data: dict[str, Any]) -> None:
    if not data["teams"]:
        print(f"No team covers all needs; uncovered: {', '.join(data['uncovered_needs'])}")
    for n, team in enumerate(data["teams"], start=1):
        names = " + ".join(m["name"] for m in team["members"])
        print(f"{n}. score {team['score']:.1f}: {names}")


def run_search(args: argparse.Namespace) -> int:
    return _query_command(args, SEARCH_FIELDS, parse_query, search_directory, _print_results)


def run_team(args: argparse.Namespace) -> int:
    return _query_command(args, TEAM_FIELDS, parse_team_query, find_teams, _print_teams)
