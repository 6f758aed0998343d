"""The previous release's database, migrated by this one, loses nothing.

The previous release's own code (``git archive`` of PREVIOUS_RELEASE, its ``data/`` included)
seeds a database with its own ``python -m core seed``, as it would in production; this
release's ``python -m core migrate`` then upgrades it. Every row of every table must still be
there with the values it had, and the read side (search index, a search) must work on it.
Keep this test for every release: only the constant below changes.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text

from core.db import create_db_engine
from core.migrations import CURRENT, head_revision, read_state
from core.search.index import build_read_index
from core.search.query import SearchQuery
from core.search.ranking import match_partners, resolve_query_place
from tests.conftest import REPO_ROOT, require_or_skip

# The last release before schema migrations (the last commit that landed before issue 14's
# work began, dea69bf): its schema came from create_all and it has no alembic_version table;
# migrate stamps it 0001 and applies every later revision. Bump at each release, to the
# commit of the release before.
PREVIOUS_RELEASE = "dea69bf4781410746e5ad7b26d65190f7a2a2c3a"
PARTNERS = 200
TIMEOUT_S = 900


def _git(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, check=False)


@pytest.fixture(scope="module")
def previous_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The previous release's files, unpacked from the repository's history."""
    require_or_skip(shutil.which("git") is not None, "git is not installed")
    found = shutil.which("git") and _git("cat-file", "-e", f"{PREVIOUS_RELEASE}^{{commit}}")
    require_or_skip(
        found and found.returncode == 0,
        f"commit {PREVIOUS_RELEASE} (the previous release) is not in this clone's history"
        " (a shallow clone? fetch with full history)",
    )
    archive = _git("archive", "--format=tar", PREVIOUS_RELEASE)
    assert archive.returncode == 0, archive.stderr.decode(errors="replace")
    folder = tmp_path_factory.mktemp("previous-release")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def _run(argv: list[str], *, cwd: Path, database_url: str, **extra: str) -> str:
    # Its own cwd and PYTHONPATH: `import core` must find the release's code, not ours.
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(cwd), **extra}
    result = subprocess.run(
        [sys.executable, "-m", "core", *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    assert result.returncode == 0, f"{argv} in {cwd}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


Rows = list[tuple[object, ...]]
# Values a revision moves on purpose, as (table, column before) -> column after. Revision 0004:
# a save's verified_at becomes the partner's confirmed_at ("verified" is an administrator's).
MOVED = {("partner", "verified_at"): "confirmed_at"}


def _columns(engine: Engine) -> dict[str, list[str]]:
    inspector = inspect(engine)
    return {
        table: sorted(str(c["name"]) for c in inspector.get_columns(table))
        for table in inspector.get_table_names()
    }


def _rows(engine: Engine, table: str, columns: list[str]) -> Rows:
    """Every row of ``table``, these columns only (a later revision may add columns), sorted."""
    quoted = ", ".join(f'"{c}"' for c in columns)
    with engine.connect() as connection:
        rows = connection.execute(text(f'SELECT {quoted} FROM "{table}"')).all()
    return sorted((tuple(row) for row in rows), key=repr)


def test_previous_release_database_is_migrated_with_nothing_lost(
    previous_release: Path, db_url: str
) -> None:
    # The previous release fills an empty database, as its `make run` did.
    _run(["seed", "--partners", str(PARTNERS)], cwd=previous_release, database_url=db_url)
    _run(
        ["create-account", "--username", "release-admin", "--role", "admin"],
        cwd=previous_release,
        database_url=db_url,
        ATLAS_PASSWORD="a long enough password 1",
    )
    engine = create_db_engine(db_url)
    try:
        assert "alembic_version" not in inspect(engine).get_table_names()
        columns = _columns(engine)
        before = {table: _rows(engine, table, names) for table, names in columns.items()}
        counts = {table: len(rows) for table, rows in before.items()}
        for table in ("partner", "partner_certification", "lead", "account", "audit_event"):
            assert counts[table] > 0, f"the previous release's seed left {table} empty"
        assert counts["partner"] == PARTNERS
        engine.dispose()

        out = _run(["migrate"], cwd=REPO_ROOT, database_url=db_url)
        assert f"from revision none to {head_revision()}" in out

        assert read_state(engine).status == CURRENT
        for table, rows in before.items():
            # Every row, every value it had (where a revision moved it on purpose: there):
            # counts and contents per table.
            names = [MOVED.get((table, name), name) for name in columns[table]]
            after = _rows(engine, table, names)
            assert len(after) == len(rows), f"{table}: {len(rows)} rows before, {len(after)} after"
            assert after == rows, f"{table}: values changed"

        # The read side works on it: the index builds and a search finds seeded partners.
        index = build_read_index(engine)
        query = SearchQuery(needs=["security"])
        found = match_partners(index, query, resolve_query_place(query)).rows.size
        assert 0 < found <= PARTNERS
    finally:
        engine.dispose()
