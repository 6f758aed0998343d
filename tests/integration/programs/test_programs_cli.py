"""`python -m core programs` as administrators run it: a real process, a real SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session, select

from core.db import create_db_engine
from core.models import FiguresConsent, ProgramMembership
from tests.conftest import REPO_ROOT


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Run the CLI against a private SQLite file; returns the finished process."""
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    env = {**os.environ, "DATABASE_URL": url}

    def _run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "core", *args],
            cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip

    _run.url = url  # type: ignore[attr-defined]
    return _run


def test_programs_lists_a_vendors_members_as_json_matching_the_database(run) -> None:
    assert run("seed", "--partners", "80", "--no-activity").returncode == 0
    result = run("programs", "--vendor", "Cisco", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["vendor"] == "Cisco" and data["tiers"][0] == "Registered"
    engine = create_db_engine(run.url)
    with Session(engine) as session:
        rows = session.exec(select(ProgramMembership).where(ProgramMembership.vendor == "Cisco"))
        expected = {m.partner_id: m for m in rows.all()}
        consents = session.exec(
            select(FiguresConsent.partner_id).where(
                FiguresConsent.vendor == "Cisco",
                FiguresConsent.granted == True,  # noqa: E712
            )
        )
        consenting = set(consents.all())
    engine.dispose()
    members = {m["partner_id"]: m for m in data["members"]}
    assert data["total"] == len(members) == len(expected) > 0
    for pid, member in members.items():
        row = expected[pid]
        assert (member["tier"], member["status"]) == (row.tier, row.status)
        assert member["since"] == (row.since.isoformat() if row.since else None)
        assert member["figures_shared"] is (row.status == "active" and pid in consenting)
    assert {"partner_name", "specializations", "version"} <= set(data["members"][0])


def test_programs_filters_by_status_and_prints_a_table(run) -> None:
    assert run("seed", "--partners", "80", "--no-activity").returncode == 0
    active = json.loads(run("programs", "--vendor", "Cisco", "--status", "active").stdout)
    assert active["members"] and {m["status"] for m in active["members"]} == {"active"}
    every = json.loads(run("programs", "--vendor", "Cisco").stdout)["members"]
    table = run("programs", "--vendor", "Cisco", "--format", "table")
    assert table.returncode == 0
    lines = table.stdout.splitlines()
    assert lines[0] == f"{len(every)} memberships in the Cisco program"
    assert len(lines) == len(every) + 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--vendor", "Cisko"), "unknown vendor 'Cisko'"),
        (("--vendor", "Cisco", "--status", "pending"), "unknown status pending"),
    ],
)
def test_programs_refuses_an_unknown_vendor_or_status(run, args, message) -> None:
    result = run("programs", *args)
    assert result.returncode == 2 and message in result.stderr
