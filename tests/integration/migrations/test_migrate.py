"""`python -m core migrate` and the refusals around it, on SQLite and PostgreSQL.

The commands run in-process through core.cli.main (DATABASE_URL set per test); what a real
previous-release database goes through is tests/integration/migrations/test_previous_release.py.
"""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, text

from core.cli import main
from core.db import create_db_engine
from core.migrations import (
    AHEAD,
    BASELINE,
    CURRENT,
    EMPTY,
    UNVERSIONED,
    SchemaError,
    alembic_config,
    ensure_current,
    head_revision,
    read_state,
    schema_drift,
)

COMMAND = "python -m core migrate"


@pytest.fixture
def cli(db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Run `python -m core …` in this process on the test's database; (code, out, err)."""
    monkeypatch.setenv("DATABASE_URL", db_url)

    def _run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return _run


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def _create_all_like_the_previous_release(engine: Engine) -> None:
    """What init_db of the previous release made: its create_all — the baseline revision's
    schema, whatever later revisions add — and the data-version row, with no schema version."""
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), BASELINE)
        connection.execute(text("DROP TABLE alembic_version"))
        connection.execute(text("UPDATE data_version SET version = 7 WHERE id = 1"))
        connection.execute(
            text(
                "INSERT INTO partner (name, description, states_served, segments, created_at,"
                " updated_at, version) VALUES ('Kept Ltd', 'd', '[]', '[]', :t, :t, 1)"
            ),
            {"t": "2025-01-01 00:00:00"},
        )


def test_migrated_database_has_exactly_the_models_schema(db_engine: Engine) -> None:
    # Models and migrations cannot drift: a model change without a revision fails here.
    with db_engine.connect() as connection:
        assert schema_drift(connection) == []


def test_migrate_builds_an_empty_database_and_says_from_and_to(cli, db_url: str) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli("migrate", "--check")
    assert code == 1 and COMMAND in out

    code, out, _ = cli("migrate")
    assert code == 0
    assert f"from revision none to {head_revision()} (head)" in out

    code, out, _ = cli("migrate", "--check")
    assert code == 0 and "current" in out
    code, out, _ = cli("migrate")
    assert code == 0 and "nothing to do" in out

    engine = create_db_engine(db_url)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SELECT version FROM data_version")).all() == [(0,)]
    finally:
        engine.dispose()


def test_database_made_by_create_all_is_stamped_then_upgraded_with_its_rows(
    cli,  # type: ignore[no-untyped-def]
    db_url: str,
) -> None:
    engine = create_db_engine(db_url)
    try:
        _create_all_like_the_previous_release(engine)
        assert read_state(engine).status == UNVERSIONED
        code, out, err = cli("migrate")
        assert code == 0, err
        assert f"from revision none to {head_revision()}" in out
        assert read_state(engine).status == CURRENT
        with engine.connect() as connection:
            assert connection.execute(text("SELECT name FROM partner")).all() == [("Kept Ltd",)]
            assert connection.execute(text("SELECT version FROM data_version")).all() == [(7,)]
    finally:
        engine.dispose()


def test_unversioned_database_that_is_not_the_baseline_is_refused_untouched(
    cli,  # type: ignore[no-untyped-def]
    db_url: str,
) -> None:
    engine = create_db_engine(db_url)
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), BASELINE)
            connection.execute(text("DROP TABLE alembic_version"))
            connection.execute(text("DROP TABLE figures_consent"))
            connection.execute(text("CREATE TABLE stranger (id INTEGER PRIMARY KEY)"))
        before = _tables(engine)

        code, _, err = cli("migrate")
        assert code == 1
        assert "table figures_consent is missing" in err
        assert "table stranger is not ours" in err
        assert "Nothing was changed" in err
        assert _tables(engine) == before  # no alembic_version either
    finally:
        engine.dispose()


def test_database_ahead_of_the_code_is_refused_by_migrate_commands_and_worker(
    cli,  # type: ignore[no-untyped-def]
    db_engine: Engine,
) -> None:
    with db_engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    assert read_state(db_engine).status == AHEAD

    code, _, err = cli("migrate")
    assert code == 1 and "newer release" in err and "never downgrades" in err
    for argv in (("worker", "--once"), ("export", "-"), ("seed", "--partners", "1")):
        code, _, err = cli(*argv)
        assert code == 1, argv
        assert COMMAND in err and "Traceback" not in err, argv
    with pytest.raises(SchemaError, match=COMMAND):
        ensure_current(db_engine)


def test_commands_refuse_an_unversioned_database_with_data_but_fill_an_empty_one(
    cli,  # type: ignore[no-untyped-def]
    db_url: str,
) -> None:
    engine = create_db_engine(db_url)
    try:
        # The worker never creates a schema: it runs beside the app, after `migrate`.
        code, _, err = cli("worker", "--once")
        assert code == 1 and COMMAND in err
        assert read_state(engine).status == EMPTY

        # seed (like create-account, import) creates the schema of an empty database.
        code, _, err = cli("seed", "--partners", "3", "--no-activity")
        assert code == 0, err
        assert read_state(engine).status == CURRENT
    finally:
        engine.dispose()


def test_commands_refuse_a_database_made_by_the_previous_release(
    cli,  # type: ignore[no-untyped-def]
    db_url: str,
) -> None:
    engine = create_db_engine(db_url)
    try:
        _create_all_like_the_previous_release(engine)
        for argv in (("export", "-"), ("worker", "--once"), ("seed", "--if-empty")):
            code, _, err = cli(*argv)
            assert code == 1, argv
            assert COMMAND in err and "without schema versions" in err, argv
        assert read_state(engine).status == UNVERSIONED
    finally:
        engine.dispose()
