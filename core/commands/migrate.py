"""``migrate``: bring the database's schema to this release's head (core.migrations)."""

from __future__ import annotations

import argparse

from core.commands.runtime import OK, REFUSED, fail
from core.db import create_db_engine
from core.migrations import CURRENT, SchemaError, migrate, new_revision, read_state
from core.settings import load_settings


def run_migrate(args: argparse.Namespace) -> int:
    if args.autogenerate:
        path = new_revision(args.autogenerate)
        print(f"wrote {path}: read it, fix what autogenerate cannot know, then commit it")
        return OK
    engine = create_db_engine(load_settings().database_url)
    try:
        if args.check:
            state = read_state(engine)
            print(state.describe())
            return OK if state.status == CURRENT else REFUSED
        try:
            before, after = migrate(engine)
        except SchemaError as exc:
            return fail(str(exc), REFUSED)
    finally:
        engine.dispose()
    if before == after:
        print(f"The database is already at revision {after} (head): nothing to do.")
    else:
        print(f"Migrated the database from revision {before or 'none'} to {after} (head).")
    return OK
