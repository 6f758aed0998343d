"""Command line for administrators and scripts: ``python -m core <command> …``.

Commands: migrate, seed, import, export, search, team, programs, benchmark, leads import,
create-account, worker, outbox, index-snapshot. This module holds the options and picks the
command; what each one does is in core.commands. The database is the one in DATABASE_URL
(default: the app's SQLite file). ``migrate`` brings its schema to this release; the other
commands create the schema of an empty database themselves (the worker excepted) and refuse
one that is behind or ahead, naming ``python -m core migrate``.

Exit codes: 0 done; 1 the command ran but refused or rejected something (bad rows in an
import, a directory that is not empty); 2 invalid arguments or an invalid query.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

from core.commands.accounts import run_create_account
from core.commands.benchmark import run_benchmark
from core.commands.index_snapshot import run_index_snapshot
from core.commands.interchange import run_export, run_import
from core.commands.leads import run_leads_import
from core.commands.migrate import run_migrate
from core.commands.outbox import run_outbox
from core.commands.programs import run_programs
from core.commands.queries import run_search, run_team
from core.commands.runtime import REFUSED, StartRefused, fail
from core.commands.seed import run_seed
from core.commands.worker import run_worker
from core.migrations import SchemaError
from core.models import OUTBOX_STATUSES
from core.settings import SettingsError, load_settings


def _comma_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


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
        add(
            "--responsive",
            action="store_true",
            default=None,
            help="only partners answering at least half of 5+ leads within 2 business days",
        )
        add("--industries", type=_comma_list, help="industries served, all of them, e.g. legal")
        add("--languages", type=_comma_list, help="languages spoken, all of them, e.g. en,es")
        add("--delivery", choices=("remote", "on_site"), help="delivery ('both' matches either)")
        add(
            "--accepting-only",
            action="store_true",
            default=None,
            help="only partners accepting new clients",
        )
        add("--sort", choices=("best", "distance", "breadth", "freshness", "name", "rating"))
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

    mig = commands.add_parser(
        "migrate",
        help="bring the database schema to this release (back it up first)",
        epilog="Exit code 1: refused (or, with --check, the schema is not current).",
    )
    what = mig.add_mutually_exclusive_group()
    what.add_argument("--check", action="store_true", help="only say where it stands")
    what.add_argument(
        "--autogenerate",
        metavar="MESSAGE",
        help="developers: write the next revision from the change in core/models.py",
    )
    mig.set_defaults(handler=run_migrate)

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
    seed.set_defaults(handler=run_seed)

    imp = commands.add_parser("import", help="import partners from a CSV file")
    imp.add_argument("file", help="CSV file, or - for standard input")
    imp.add_argument(
        "--valid-rows-only",
        action="store_true",
        help="import the good rows even when some rows are bad",
    )
    imp.set_defaults(handler=run_import)

    exp = commands.add_parser("export", help="export every partner to a CSV file")
    exp.add_argument("file", help="CSV file to write, or - for standard output")
    exp.set_defaults(handler=run_export)

    search = commands.add_parser("search", help="search the directory")
    _add_query_options(search, team=False)
    search.set_defaults(handler=run_search)

    team = commands.add_parser("team", help="find the smallest team covering all needs")
    _add_query_options(team, team=True)
    team.set_defaults(handler=run_team)

    programs = commands.add_parser(
        "programs", help="a vendor's program members: tier, status, since, figures shared"
    )
    programs.add_argument("--vendor", required=True, help="catalogue vendor, e.g. Cisco")
    programs.add_argument(
        "--status", type=_comma_list, help="only these statuses, e.g. active,requested"
    )
    programs.add_argument("--format", choices=("json", "table"), default="json")
    programs.set_defaults(handler=run_programs)

    bench = commands.add_parser(
        "benchmark",
        help="what an account sees on its program screen (hidden figures null)",
    )
    bench.add_argument("--as", dest="as_user", required=True, metavar="USERNAME")
    bench.add_argument("--region", help="vendor accounts: only members in this region")
    bench.add_argument("--vendor", help="administrators: the vendor whose program to show")
    bench.add_argument("--format", choices=("json", "table"), default="json")
    bench.set_defaults(handler=run_benchmark)

    leads = commands.add_parser("leads", help="a vendor's campaign leads")
    leads_commands = leads.add_subparsers(dest="leads_command", required=True, metavar="COMMAND")
    leads_import = leads_commands.add_parser(
        "import",
        help="load campaign responses from a CSV file",
        epilog="Columns: company, contact_name, contact_email, zip, company_size, needs "
        "(needs: keys separated by ;). Nothing is imported when a row is bad, unless "
        "--keep-going.",
    )
    leads_import.add_argument("file", help="CSV file, or - for standard input")
    leads_import.add_argument("--vendor", required=True, help="catalogue vendor, e.g. Cisco")
    leads_import.add_argument("--campaign", help="the vendor's campaign key the leads came from")
    leads_import.add_argument(
        "--assign-to", type=int, metavar="PARTNER_ID", help="an active member that gets them all"
    )
    leads_import.add_argument(
        "--keep-going", action="store_true", help="import the good rows even when some are bad"
    )
    leads_import.set_defaults(handler=run_leads_import)

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
    account.set_defaults(handler=run_create_account)

    worker = commands.add_parser(
        "worker",
        help="deadlines, reminders and email delivery; runs until stopped",
        epilog="Email goes out over ATLAS_SMTP_URL; without it messages stay in the outbox.",
    )
    worker.add_argument("--once", action="store_true", help="do what is due now, then exit")
    worker.set_defaults(handler=run_worker)

    outbox = commands.add_parser("outbox", help="the email outbox, newest first")
    outbox.add_argument("--status", choices=OUTBOX_STATUSES, help="only messages in this state")
    outbox.add_argument("--limit", type=_count, default=100, help="at most this many (100)")
    outbox.add_argument("--format", choices=("json", "table"), default="json")
    outbox.set_defaults(handler=run_outbox)

    snap = commands.add_parser(
        "index-snapshot",
        help="build the search index now and save it for the app to map at start",
        epilog="Saved under ATLAS_INDEX_SNAPSHOT_DIR (one sub-directory per database).",
    )
    snap.add_argument("--directory", help="instead of ATLAS_INDEX_SNAPSHOT_DIR")
    snap.set_defaults(handler=run_index_snapshot)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        handler: Callable[[argparse.Namespace], int] = args.handler
        return handler(args)
    except SettingsError as exc:  # a bad environment variable: its name, not a traceback
        return fail(str(exc))
    except (SchemaError, StartRefused) as exc:  # behind/ahead, or e.g. a published demo
        # password with demo mode off: what to do, not a traceback
        return fail(str(exc), REFUSED)
