"""Builds the read index in a child process, saves it as a snapshot, and maps it here.

A build at a million partners allocates gigabytes of temporaries; in a long-lived process
the allocator keeps much of it, so memory grew by ~400 MB per rebuild. In a child process
all of it dies with the child; the parent only maps the finished snapshot (shared pages).

Run as ``python -m core.search.snapshot_build DIRECTORY DAY`` with the database in the
environment (DATABASE_URL, never on the command line where ``ps`` would show a password);
it prints the snapshot's directory.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Engine, make_url
from sqlmodel import Session

from core.db import read_data_version
from core.search.index import ReadIndex, ReadIndexHolder
from core.search.snapshot import load_snapshot, load_snapshot_dir, locked, snapshot_meta
from core.settings import PROJECT_ROOT, get_settings

CHILD_ENV = "DATABASE_URL"


class SnapshotBuildFailed(RuntimeError):
    """The child process failed; the message ends with its last lines of error output."""


def snapshot_dir_for(base: Path, database_url: str) -> Path:
    """One snapshot directory per database, so two databases never share an index."""
    shown = make_url(database_url).render_as_string(hide_password=True)
    return base / hashlib.sha256(shown.encode("utf-8")).hexdigest()[:16]


def can_build_in_subprocess(database_url: str) -> bool:
    """An in-memory SQLite database exists only in this process."""
    url = make_url(database_url)
    return not (url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"))


def save_snapshot_in_subprocess(*, database_url: str, directory: Path, today: date) -> Path:
    """Build and save in a child process; the snapshot's directory (not loaded here)."""
    # The project on the child's path whatever the working directory (which stays ours, so
    # a relative SQLite path names the same file).
    path = os.pathsep.join(p for p in (str(PROJECT_ROOT), os.environ.get("PYTHONPATH")) if p)
    env = dict(os.environ, **{CHILD_ENV: database_url, "PYTHONPATH": path})
    done = subprocess.run(  # our own interpreter and module, no shell
        [sys.executable, "-m", "core.search.snapshot_build", str(directory), today.isoformat()],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-5:])
        raise SnapshotBuildFailed(f"index build exited with {done.returncode}: {tail}")
    return Path(done.stdout.strip().splitlines()[-1])


def build_snapshot_in_subprocess(*, database_url: str, directory: Path, today: date) -> ReadIndex:
    """A fresh index built by a child process, mapped from its snapshot. Raises
    SnapshotBuildFailed when the child fails or its snapshot cannot be read back."""
    path = save_snapshot_in_subprocess(database_url=database_url, directory=directory, today=today)
    index = load_snapshot_dir(path, today=today)
    if index is None:
        raise SnapshotBuildFailed(f"the snapshot just built in {path} could not be loaded")
    return index


def snapshot_directory(base: Path | None, database_url: str) -> Path | None:
    """This database's snapshot directory under the ATLAS_INDEX_SNAPSHOT_DIR `base`; None
    when snapshots are off or the database lives only in this process."""
    if base is None or not can_build_in_subprocess(database_url):
        return None
    return snapshot_dir_for(base, database_url)


def snapshot_holder(*, engine: Engine, base: Path | None, database_url: str) -> ReadIndexHolder:
    """The process's index holder: with snapshots on, it starts from today's snapshot (mapped,
    shared with the machine's other processes) and full rebuilds run in a child process that
    writes the next snapshot, so this process's memory stays flat over rebuilds."""
    directory = snapshot_directory(base, database_url)
    if directory is None:
        return ReadIndexHolder(engine=engine)
    return ReadIndexHolder(
        engine=engine,
        rebuild=lambda day: build_snapshot_in_subprocess(
            database_url=database_url, directory=directory, today=day
        ),
        load_initial=lambda day: load_snapshot(directory, today=day),
    )


def refresh_snapshot(
    *, database_url: str, directory: Path, version: int, today: date, min_age_seconds: float
) -> bool:
    """Write a new snapshot when the current one is from another day, or behind `version`
    and older than `min_age_seconds` (a process starting from it catches up with fewer
    changes). Only refreshes: a directory without a snapshot is the app's to start. One
    refresh at a time per machine; True when one was written."""
    meta = snapshot_meta(directory)
    if meta is None:
        return False
    same_day = meta.get("built_for_day") == today.isoformat()
    if same_day and meta.get("data_version") == version:
        return False
    if same_day and time.time() - float(meta.get("saved_at", 0)) < min_age_seconds:
        return False
    with locked(directory, ".building", wait=False) as mine:
        if not mine:
            return False
        save_snapshot_in_subprocess(database_url=database_url, directory=directory, today=today)
    return True


# A snapshot a little behind costs a starting process a few deltas; rewriting a gigabyte
# after every edit would cost more than it saves.
REFRESH_MIN_AGE_SECONDS = 600.0


def refresh_index_snapshot(engine: Engine, now: datetime) -> int:
    """Worker job: keep this database's index snapshot (if the app made one) of today and
    not far behind, so a process starting later maps it instead of building. 1 if written."""
    url = engine.url.render_as_string(hide_password=False)
    directory = snapshot_directory(get_settings().index_snapshot_path, url)
    if directory is None:
        return 0
    with Session(engine) as session:
        version = read_data_version(session)
    written = refresh_snapshot(
        database_url=url,
        directory=directory,
        version=version,
        today=now.astimezone().date(),
        min_age_seconds=REFRESH_MIN_AGE_SECONDS,
    )
    return int(written)


def _main(argv: list[str]) -> int:
    # Imported here: the parent process needs none of the build's modules.
    from core.db import create_db_engine
    from core.search.index import build_read_index
    from core.search.snapshot import save_snapshot

    directory, day = Path(argv[0]), date.fromisoformat(argv[1])
    engine = create_db_engine(os.environ[CHILD_ENV])
    try:
        index = build_read_index(engine, today=day)
    finally:
        engine.dispose()
    print(save_snapshot(index, directory))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
