"""``seed``: fill the directory with generated demo data and the documented demo accounts."""

from __future__ import annotations

import argparse

from sqlmodel import Session

from core.commands.runtime import OK, REFUSED, fail, open_engine, show_progress
from core.db import is_directory_empty
from core.demo.accounts import create_demo_accounts
from core.demo.generator import seed_demo_directory
from core.settings import load_settings


def run_seed(args: argparse.Namespace) -> int:
    # Demo partners and demo accounts (public passwords) only when asked for: a deployment
    # script running `seed --if-empty` must not fill a real database with them.
    if not load_settings().demo:
        if args.if_empty:
            print("Demo mode is off (ATLAS_DEMO): nothing seeded.")
            return OK
        return fail("demo mode is off: set ATLAS_DEMO=1 to create the demo directory", REFUSED)
    engine = open_engine()
    with Session(engine) as session:
        empty = is_directory_empty(session)
    if not empty and args.if_empty:
        print("The directory already has partners; nothing seeded.")
        return OK
    if not empty and not args.replace:
        message = "the directory already has partners: use --replace to start over"
        return fail(f"{message}, or --if-empty to leave it as it is", REFUSED)
    try:
        summary = seed_demo_directory(
            engine=engine,
            partners=args.partners,
            seed=args.seed,
            with_activity=not args.no_activity,
            replace=args.replace,
            progress=show_progress,
        )
    except ValueError as exc:  # another process seeded meanwhile
        return fail(str(exc), REFUSED)
    create_demo_accounts(engine=engine)  # documented in the README
    print(
        f"Seeded {summary.partners:,} partners ({summary.locations:,} locations, "
        f"{summary.certifications:,} certifications, {summary.leads:,} leads, "
        f"{summary.campaigns:,} campaigns, {summary.funds:,} fund requests, "
        f"{summary.deals:,} deal registrations) in {summary.seconds:.1f} s."
    )
    return OK
