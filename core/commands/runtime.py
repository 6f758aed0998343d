"""What every command shares: its exit codes, how it reports to the terminal, its database."""

from __future__ import annotations

import getpass
import sys

from sqlalchemy import Engine
from sqlmodel import Session

from core.db import create_db_engine
from core.demo.safety import published_password_problem
from core.migrations import SchemaError, create_schema_if_empty, ensure_current
from core.settings import load_settings

OK, REFUSED, INVALID = 0, 1, 2


class StartRefused(Exception):
    """The command must not run on this database; the message is one line (cli.main)."""


def open_engine(*, create_schema: bool = True, refuse_demo_passwords: bool = True) -> Engine:
    """The database of DATABASE_URL, its schema at this release's head.

    An empty database gets its schema here (``create_schema``), so ``seed`` or
    ``create-account`` work on a new deployment in one step; a database with data that is
    behind or ahead is refused (core.migrations.SchemaError, naming ``python -m core
    migrate``): upgrading data is a step an operator takes on purpose, after a backup.
    With demo mode off, a database whose accounts still have a published demo password is
    refused (StartRefused) — except by ``create-account``, which is how the first real
    administrator is made.
    """
    # Settings are read afresh (not the cached get_settings) so that main() called twice in
    # one process with a different DATABASE_URL talks to the right database.
    settings = load_settings()
    engine = create_db_engine(settings.database_url)
    try:
        if create_schema:
            create_schema_if_empty(engine)
        else:
            ensure_current(engine)
    except SchemaError:
        engine.dispose()
        raise
    if refuse_demo_passwords and not settings.demo:
        with Session(engine) as session:
            problem = published_password_problem(session)
        if problem:
            engine.dispose()
            raise StartRefused(problem)
    return engine


def fail(message: str, code: int = INVALID) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def show_progress(fraction: float, message: str) -> None:
    if sys.stderr.isatty():  # progress is for people watching, not for logs
        print(f"\r{fraction:6.1%} {message}", end="\n" if fraction >= 1 else "", file=sys.stderr)


def operator_label() -> str:
    """Who ran a command, for the audit trail of what it writes."""
    try:
        return f"command line ({getpass.getuser()})"
    except (KeyError, OSError):  # no user name in some containers
        return "command line"
