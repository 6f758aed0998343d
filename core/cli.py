"""Command line for administrators and scripts: ``python -m core <command> …``.

Commands: seed, import, export, search, team, create-account. The database is the one in
DATABASE_URL (default: the app's SQLite file); its schema is created when missing.

Exit codes: 0 done; 1 the command ran but refused or rejected something (bad rows in an
import, a directory that is not empty); 2 invalid arguments or an invalid query.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine
from sqlmodel import Session

from core.accounts.records import create_account
from core.db import create_db_engine, init_db, is_directory_empty, session_scope
from core.demo.accounts import create_demo_accounts
from core.demo.generator import seed_demo_directory
from core.interchange.export import export_partners_csv
from core.interchange.format import ALL_OR_NOTHING, VALID_ROWS_ONLY
from core.interchange.importer import import_partners_csv
from core.search.query import parse_query
from core.search.ranking import search_directory
from core.settings import SettingsError, load_settings
from core.teams.finder import find_teams
from core.teams.query import parse_team_query

OK, REFUSED, INVALID = 0, 1, 2
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


def _engine() -> Engine:
    # Settings are read afresh (not the cached get_settings) so that main() called twice in
    # one process with a different DATABASE_URL talks to the right database.
    engine = create_db_engine(load_settings().database_url)
    init_db(engine)
    return engine


def _fail(message: str, code: int = INVALID) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def _comma_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _progress(fraction: float, message: str) -> None:
    if sys.stderr.isatty():  # progress is for people watching, not for logs
        print(f"\r{fraction:6.1%} {message}", end="\n" if fraction >= 1 else "", file=sys.stderr)


def _operator() -> str:
    try:
        return f"command line ({getpass.getuser()})"
    except (KeyError, OSError):  # no user name in some containers
        return "command line"


# --------------------------------------------------------------------------- handlers


def _seed(args: argparse.Namespace) -> int:
    engine = _engine()
    with Session(engine) as session:
        empty = is_directory_empty(session)
    if not empty and args.if_empty:
        print("The directory already has partners; nothing seeded.")
        return OK
    if not empty and not args.replace:
        message = "the directory already has partners: use --replace to start over"
        return _fail(f"{message}, or --if-empty to leave it as it is", REFUSED)
    try:
        summary = seed_demo_directory(
            engine=engine,
            partners=args.partners,
            seed=args.seed,
            with_activity=not args.no_activity,
            replace=args.replace,
            progress=_progress,
        )
    except ValueError as exc:  # another process seeded meanwhile
        return _fail(str(exc), REFUSED)
    create_demo_accounts(engine=engine)  # documented in the README
    print(
        f"Seeded {summary.partners:,} partners ({summary.locations:,} locations, "
        f"{summary.certifications:,} certifications, {summary.leads:,} leads) "
        f"in {summary.seconds:.1f} s."
    )
    return OK


def _import(args: argparse.Namespace) -> int:
    source: Any = sys.stdin.buffer if args.file == "-" else args.file
    if args.file != "-" and not os.path.isfile(args.file):
        return _fail(f"no such file: {args.file}")
    report = import_partners_csv(
        engine=_engine(),
        source=source,
        mode=VALID_ROWS_ONLY if args.valid_rows_only else ALL_OR_NOTHING,
        actor_label=_operator(),
        progress=_progress,
    )
    for error in report.errors:
        print(error, file=sys.stderr)
    print(report.summary())
    return OK if report.ok else REFUSED


def _export(args: argparse.Namespace) -> int:
    engine = _engine()
    if args.file == "-":
        count = export_partners_csv(engine=engine, path_or_buffer=sys.stdout)
        print(f"Exported {count:,} partners.", file=sys.stderr)
    else:
        count = export_partners_csv(engine=engine, path_or_buffer=args.file)
        print(f"Exported {count:,} partners to {args.file}.")
    return OK


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
        query = parse(fields)  # before _engine(): an invalid query creates no database
        result = run(engine=_engine(), query=query)
    except ValidationError as exc:
        return _fail(
            "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'query'}: "
                f"{str(e['msg']).removeprefix('Value error, ')}"
                for e in exc.errors()
            )
        )
    except ValueError as exc:  # QueryError, UnknownPlaceError: messages meant for people
        return _fail(str(exc))
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


def _search(args: argparse.Namespace) -> int:
    return _query_command(args, SEARCH_FIELDS, parse_query, search_directory, _print_results)


def _team(args: argparse.Namespace) -> int:
    return _query_command(args, TEAM_FIELDS, parse_team_query, find_teams, _print_teams)


def _read_password() -> str | None:
    password = os.environ.get("ATLAS_PASSWORD")
    if password:
        return password
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat password: "):
        return None
    return first


def _create_account(args: argparse.Namespace) -> int:
    password = _read_password()
    if password is None:
        return _fail("the passwords do not match")
    try:
        with session_scope(_engine()) as session:
            account = create_account(
                session=session,
                actor=None,
                from_cli=True,
                username=args.username,
                password=password,
                role=args.role,
                partner_id=args.partner_id,
                vendor_name=args.vendor_name,
                regions=args.regions or [],
                display_name=args.display_name or "",
            )
            summary = f"Created {account.role} account {account.username!r} (id {account.id})."
    except ValueError as exc:  # AccountError and validation problems, worded for people
        return _fail(str(exc))
    print(summary)
    return OK


# --------------------------------------------------------------------------- parser


def _add_query_options(parser: argparse.ArgumentParser, *, team: bool) -> None:
    # Defaults are None so that only what the user typed reaches the query model.
    add = parser.add_argument
    add("--needs", type=_comma_list, required=team, help="needs, comma-separated keys")
    add("--min-level", type=int, help="lowest level that counts (1-3)")
    add("--evidence-only", action="store_true", default=None, help="count evidenced levels only")
    add("--near", help="ZIP code or 'City, ST'")
    add("--radius-km", type=float, help="search radius around --near")
    add(
        "--include-service-area",
        action="store_true",
        default=None,
        help="also partners whose service area reaches the place",
    )
    add("--states", type=lambda t: [s.upper() for s in _comma_list(t)], help="e.g. TX,OK")
    add("--region", help="sales region key, e.g. south")
    add("--segment", help="company size, e.g. 11-50")
    add("--vendor", help="only partners certified by this vendor")
    add("--keyword", help="text in name or description")
    if team:
        add("--max-size", type=int, help="largest team to consider (default 3)")
        add("--alternatives", type=int, help="how many other teams to show")
    else:
        add("--sort", choices=("best", "distance", "breadth", "freshness", "name"))
        add("--page", type=int)
        add("--page-size", type=int)
    add("--format", choices=("json", "table"), default="json")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m core",
        description="Partner Atlas administration: seed, import, export, search, teams.",
        epilog="The database is DATABASE_URL (default: the app's SQLite file).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    seed = commands.add_parser("seed", help="fill the directory with generated demo data")
    settings = load_settings()
    seed.add_argument(
        "--partners",
        type=_count,
        default=settings.demo_partners,
        help=f"how many partners (default ATLAS_DEMO_PARTNERS, {settings.demo_partners})",
    )
    seed.add_argument(
        "--seed", type=int, default=settings.demo_seed, help="random seed (default 42)"
    )
    seed.add_argument("--no-activity", action="store_true", help="no leads, figures, searches")
    when = seed.add_mutually_exclusive_group()
    when.add_argument("--if-empty", action="store_true", help="do nothing if partners exist")
    when.add_argument("--replace", action="store_true", help="delete the directory first")
    seed.set_defaults(handler=_seed)

    imp = commands.add_parser("import", help="import partners from a CSV file")
    imp.add_argument("file", help="CSV file, or - for standard input")
    imp.add_argument(
        "--valid-rows-only",
        action="store_true",
        help="import the good rows even when some rows are bad",
    )
    imp.set_defaults(handler=_import)

    exp = commands.add_parser("export", help="export every partner to a CSV file")
    exp.add_argument("file", help="CSV file to write, or - for standard output")
    exp.set_defaults(handler=_export)

    search = commands.add_parser("search", help="search the directory")
    _add_query_options(search, team=False)
    search.set_defaults(handler=_search)

    team = commands.add_parser("team", help="find the smallest team covering all needs")
    _add_query_options(team, team=True)
    team.set_defaults(handler=_team)

    account = commands.add_parser(
        "create-account",
        help="create a sign-in account",
        epilog="The password comes from ATLAS_PASSWORD or a prompt.",
    )
    account.add_argument("--username", required=True)
    account.add_argument("--role", required=True, choices=("admin", "vendor", "partner"))
    account.add_argument("--partner-id", type=int, help="partner accounts: the organisation")
    account.add_argument("--vendor-name", help="vendor accounts: e.g. Cisco")
    account.add_argument("--regions", type=_comma_list, help="vendor accounts: e.g. south,west")
    account.add_argument("--display-name", help="name shown in the app")
    account.set_defaults(handler=_create_account)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        handler: Callable[[argparse.Namespace], int] = args.handler
        return handler(args)
    except SettingsError as exc:  # a bad environment variable: its name, not a traceback
        return _fail(str(exc))
