"""Schema versions (Alembic): where a database stands, bringing it to the code's head.

The revisions live in ``versions/`` beside this file; ``env.py`` is Alembic's environment.
There is no alembic.ini: the configuration is built here, and the connection is passed in,
so the engine is always the application's own (SQLite pragmas included).

Only ``python -m core migrate`` (and the CLI on an empty database) changes the schema. The
app and the worker check it and refuse to run on a database that is behind or ahead: several
processes starting at once must never race to migrate one database.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, UniqueConstraint, create_engine, inspect

HERE = Path(__file__).resolve().parent
BASELINE = "0001"  # the schema of the last release without migrations (created by create_all)
COMMAND = "python -m core migrate"

EMPTY, UNVERSIONED, BEHIND, CURRENT, AHEAD = "empty", "unversioned", "behind", "current", "ahead"


class SchemaError(Exception):
    """The database's schema does not fit this code; the message says what to do."""


@dataclass(frozen=True)
class SchemaState:
    status: str  # EMPTY, UNVERSIONED, BEHIND, CURRENT or AHEAD
    current: str | None  # the database's revision (None: no alembic_version table)
    head: str  # the code's newest revision

    def describe(self) -> str:
        if self.status == CURRENT:
            return f"The database schema is current (revision {self.head})."
        if self.status == EMPTY:
            return f"The database has no tables yet. Run `{COMMAND}` to create its schema."
        if self.status == UNVERSIONED:
            return (
                "The database was created by a release without schema versions. Back it up, "
                f"then run `{COMMAND}` to bring it to revision {self.head}."
            )
        if self.status == BEHIND:
            return (
                f"The database schema is at revision {self.current}; this release needs "
                f"{self.head}. Back up the database, then run `{COMMAND}`."
            )
        return (
            f"The database schema is at revision {self.current}, which this release does not "
            f"know (its newest is {self.head}): a newer release migrated it. Run that release "
            f"or restore a backup; `{COMMAND}` never downgrades."
        )


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    # "0002_add_reviews.py": revision ids are sequence numbers, so the files sort in order.
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    config.attributes["connection"] = connection
    return config


@cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    head = _scripts().get_current_head()
    assert head is not None, "core/migrations/versions holds no revision"
    return head


def _own_tables(connection: Connection) -> set[str]:
    names = set(inspect(connection).get_table_names())
    return {n for n in names if not n.startswith("sqlite_") and n != "alembic_version"}


def read_state(engine: Engine) -> SchemaState:
    """Where the database stands against the code; reads only."""
    head = head_revision()
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
        has_version_table = inspect(connection).has_table("alembic_version")
        tables = _own_tables(connection)
    if not has_version_table or current is None:
        return SchemaState(UNVERSIONED if tables else EMPTY, None, head)
    if current == head:
        return SchemaState(CURRENT, current, head)
    known = {script.revision for script in _scripts().walk_revisions()}
    return SchemaState(BEHIND if current in known else AHEAD, current, head)


def ensure_current(engine: Engine) -> None:
    """Raise SchemaError (naming the migrate command) unless the schema is the code's head."""
    state = read_state(engine)
    if state.status != CURRENT:
        raise SchemaError(state.describe())


def create_schema_if_empty(engine: Engine) -> None:
    """For commands that fill a new database (seed, create-account): an empty database gets
    its schema; one that is behind or ahead is refused (SchemaError), never migrated here."""
    state = read_state(engine)
    if state.status == EMPTY:
        migrate(engine)
    elif state.status != CURRENT:
        raise SchemaError(state.describe())


@cache
def baseline_columns() -> dict[str, set[str]]:
    """Every table of the baseline revision with its columns, from a scratch database."""
    scratch = create_engine("sqlite://")
    try:
        with scratch.begin() as connection:
            command.upgrade(alembic_config(connection), BASELINE)
            inspector = inspect(connection)
            return {
                table: {column["name"] for column in inspector.get_columns(table)}
                for table in _own_tables(connection)
            }
    finally:
        scratch.dispose()


def _baseline_differences(connection: Connection) -> list[str]:
    """How an unversioned database differs from the baseline's tables and columns."""
    expected = baseline_columns()
    inspector = inspect(connection)
    found = _own_tables(connection)
    problems = [f"table {name} is missing" for name in sorted(expected.keys() - found)]
    problems += [f"table {name} is not ours" for name in sorted(found - expected.keys())]
    for table in sorted(expected.keys() & found):
        columns = {column["name"] for column in inspector.get_columns(table)}
        problems += [f"column {table}.{c} is missing" for c in sorted(expected[table] - columns)]
        problems += [f"column {table}.{c} is not ours" for c in sorted(columns - expected[table])]
    return problems


def migrate(engine: Engine) -> tuple[str | None, str]:
    """Bring the database to the code's head; returns (revision before, revision after).

    An empty database is built from nothing. An unversioned one (made by create_all in the
    release before migrations) is stamped as the baseline when its tables and columns are
    exactly the baseline's, then upgraded; anything else unversioned is refused (SchemaError),
    untouched. A database ahead of the code is refused too.
    """
    state = read_state(engine)
    if state.status == AHEAD:
        raise SchemaError(state.describe())
    if state.status == CURRENT:
        return state.current, state.head
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode recreates a table (copy, drop, rename): with foreign keys on, the
            # drop would cascade-delete rows that point at it. The pragma is a no-op inside a
            # transaction, so it is set before anything begins, and back on afterwards.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            config = alembic_config(connection)
            if state.status == UNVERSIONED:
                problems = _baseline_differences(connection)
                if problems:
                    raise SchemaError(
                        "The database has tables but no schema version, and they are not "
                        f"those of Partner Atlas's revision {BASELINE}: "
                        + "; ".join(problems[:10])
                        + (f" (and {len(problems) - 10} more)" if len(problems) > 10 else "")
                        + ". Nothing was changed."
                    )
                command.stamp(config, BASELINE)
            command.upgrade(config, "head")
            connection.commit()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise SchemaError(f"the migration left {len(broken)} broken references")
        finally:
            if sqlite:
                connection.rollback()
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()
    return state.current, head_revision()


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Autogenerate's filter: skip a unique constraint on exactly the primary key's columns
    (data_version declares one). PostgreSQL creates no such constraint (the key is unique
    already), so comparing would report it missing there forever."""
    if type_ == "unique_constraint" and isinstance(obj, UniqueConstraint):
        table = obj.table
        return {c.name for c in obj.columns} != {c.name for c in table.primary_key.columns}
    return True


def schema_drift(connection: Connection) -> list[object]:
    """What autogenerate would put in a new revision: [] when the database (migrated to
    head) and core.models agree. Tests assert it is empty, so the two cannot drift."""
    from alembic.autogenerate import compare_metadata
    from sqlmodel import SQLModel

    from core import models  # noqa: F401  (registers every table)

    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_object": include_object}
    )
    return list(compare_metadata(context, SQLModel.metadata))


def new_revision(message: str) -> Path:
    """Developer helper: autogenerate the next revision (``0002_<message>.py``) from the
    difference between core.models and a scratch database migrated to head. Read it before
    committing: autogenerate misses renames and data changes."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        scratch = create_engine(f"sqlite:///{folder}/scratch.sqlite")
        try:
            migrate(scratch)
            with scratch.connect() as connection:
                number = len(list(_scripts().walk_revisions())) + 1
                script = command.revision(
                    alembic_config(connection),
                    message,
                    autogenerate=True,
                    rev_id=f"{number:04d}",
                )
        finally:
            scratch.dispose()
    _scripts.cache_clear()
    assert script is not None and not isinstance(script, list)
    return Path(script.path)
