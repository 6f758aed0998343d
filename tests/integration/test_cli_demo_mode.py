"""The command line the deployment way: no demo data unless asked, no published password."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlmodel import Session, func, select

from core.db import create_db_engine
from core.migrations import migrate
from core.models import Account, AuditEvent, Partner
from tests.conftest import REPO_ROOT


def _run(
    url: str, *args: str, demo: bool = False, password: str = ""
) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATLAS_DEMO")}
    env |= {"DATABASE_URL": url, "ATLAS_PASSWORD": password} | ({"ATLAS_DEMO": "1"} if demo else {})
    return subprocess.run(
        [sys.executable, "-m", "core", *args],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def _counts(url: str) -> tuple[int, int]:
    engine = create_db_engine(url)
    migrate(engine)  # the refused seed never opened the database
    try:
        with Session(engine) as session:
            partners = session.exec(select(func.count()).select_from(Partner)).one()
            accounts = session.exec(select(func.count()).select_from(Account)).one()
        return int(partners), int(accounts)
    finally:
        engine.dispose()


def test_seed_creates_nothing_unless_demo_mode_is_on(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    skipped = _run(url, "seed", "--partners", "20", "--if-empty")
    assert skipped.returncode == 0 and "Demo mode is off" in skipped.stdout
    refused = _run(url, "seed", "--partners", "20")
    assert refused.returncode == 1 and "ATLAS_DEMO=1" in refused.stderr
    assert _counts(url) == (0, 0)


def test_first_admin_from_the_cli_then_the_worker_runs(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    made = _run(url, "create-account", "--username", "alice", "--role", "admin",
                password="a long real password 42")  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert _run(url, "worker", "--once").returncode == 0


def test_worker_and_cli_refuse_a_published_demo_password_in_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    assert _run(url, "seed", "--partners", "20", "--no-activity", demo=True).returncode == 0
    for command in (("worker", "--once"), ("export", str(tmp_path / "out.csv"))):
        refused = _run(url, *command)
        assert refused.returncode == 1, refused.stderr
        lines = refused.stderr.strip().splitlines()
        assert len(lines) == 1 and "demo password" in lines[0] and "'admin'" in lines[0]
    assert _run(url, "worker", "--once", demo=True).returncode == 0


def test_the_cli_export_is_audited_with_its_row_count(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    assert _run(url, "seed", "--partners", "20", "--no-activity", demo=True).returncode == 0
    exported = _run(url, "export", str(tmp_path / "out.csv"), demo=True)
    assert exported.returncode == 0, exported.stderr
    engine = create_db_engine(url)
    try:
        with Session(engine) as session:
            (event,) = session.exec(select(AuditEvent).where(AuditEvent.entity_type == "export"))
    finally:
        engine.dispose()
    assert event.entity_id == "partners" and event.actor_label.startswith("command line")
    assert event.changes["rows"]["after"] == 20
