"""Helpers shared by every kind of test (unit, app, integration, e2e)."""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

import pytest

# CI sets CI=true. There, a test that cannot find PostgreSQL or Chromium must fail: a skipped
# suite would look green while testing nothing.
IN_CI: bool = os.environ.get("CI") == "true"

# The test databases hold the demo accounts, whose passwords are published: with demo mode off
# the app, the worker and the CLI refuse them (core.demo.safety). Tests run in demo mode
# unless they say otherwise (tests of the deployment path delete the variable); a developer's
# own ATLAS_DEMO=0 wins.
os.environ.setdefault("ATLAS_DEMO", "1")
# Each test database would leave an index snapshot under var/index and every app test would
# build its index in a child process; tests of snapshots pass their own directory.
os.environ.setdefault("ATLAS_INDEX_SNAPSHOT_DIR", "off")

# The repository root, so tests and fixtures never depend on the directory pytest runs from.
REPO_ROOT: Path = Path(__file__).resolve().parent.parent

# `pytest` (unlike `python -m pytest`) does not put the working directory on sys.path, so
# `import core` and the shared helpers under `tests.` would fail depending on how the suite
# was started. Putting the root first makes both launch styles and both import modes behave.
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))


def require_or_skip(condition: object, reason: str) -> None:
    """Skip the current test when `condition` is false; under CI fail instead.

    Locally a developer without Chromium or PostgreSQL still gets the rest of the suite; CI
    installs both, so their absence there is a broken set-up, not a reason to skip.
    """
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: missing test dependencies are failures, not skips)")
    pytest.skip(reason)


def copy_sqlite_database(source: Path, target: Path) -> None:
    """Copy a SQLite database file with its WAL contents."""
    # The backup API copies a consistent snapshot, WAL contents included; a file copy may not.
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


@pytest.fixture
def tmp_sqlite_url(tmp_path: Path) -> str:
    """A SQLAlchemy URL for a not-yet-existing SQLite file private to this test."""
    # Four slashes: "sqlite:///" plus an absolute path that starts with "/".
    return f"sqlite:///{tmp_path / 'test.sqlite'}"
