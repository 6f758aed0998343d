"""`python -m core leads import` as a vendor's operator runs it: a real process, a real SQLite
file; exit codes 0 (imported), 1 (refused: bad rows, unknown campaign), 2 (invalid options)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from core.db import create_db_engine
from core.models import PROGRAM_ACTIVE, AuditEvent, Campaign, Lead, ProgramMembership
from tests.conftest import REPO_ROOT

HEADER = "company,contact_name,contact_email,zip,company_size,needs\n"
GOOD = HEADER + "Acme Inc,Dana Lee,dana@example.com,78701,11-50,networking;security\n"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeded database with a Cisco campaign, copied per test."""
    path = tmp_path_factory.mktemp("cli-leads") / "seed.sqlite"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}"}
    done = subprocess.run(
        [sys.executable, "-m", "core", "seed", "--partners", "60", "--no-activity"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    engine = create_db_engine(f"sqlite:///{path}")
    with Session(engine) as session:  # a fixture row, outside any unit of work
        session.add(
            Campaign(
                vendor="Cisco", key="spring-wifi", name="Spring Wi-Fi", budget_usd=5000,
                starts_on=date.today(), ends_on=date.today() + timedelta(days=30),
            )
        )  # fmt: skip
        session.commit()
    engine.dispose()
    return path


@pytest.fixture
def run(seeded: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    db = tmp_path / "cli.sqlite"
    db.write_bytes(seeded.read_bytes())
    url = f"sqlite:///{db}"

    def _run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "core", *args], cwd=REPO_ROOT, input=stdin,
            env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True,
            timeout=300, check=False,
        )  # fmt: skip

    _run.url = url  # type: ignore[attr-defined]
    return _run


def _leads(url: str) -> tuple[list[Lead], list[AuditEvent], int]:
    engine = create_db_engine(url)
    with Session(engine) as session:
        leads = list(session.exec(select(Lead).where(Lead.vendor_name == "Cisco")).all())
        events = list(session.exec(select(AuditEvent).where(AuditEvent.action == "import")).all())
        member = session.exec(
            select(ProgramMembership.partner_id)
            .where(ProgramMembership.vendor == "Cisco", ProgramMembership.status == PROGRAM_ACTIVE)
            .order_by(col(ProgramMembership.partner_id))
        ).first()
    engine.dispose()
    return leads, events, int(member or 0)


def test_imports_a_campaign_file_assigned_to_a_member_and_audited_as_the_command_line(
    run, tmp_path: Path
) -> None:
    file = tmp_path / "leads.csv"
    file.write_text(GOOD, encoding="utf-8")
    _, _, member = _leads(run.url)
    assert member
    result = run(
        "leads", "import", str(file), "--vendor", "Cisco", "--campaign", "spring-wifi",
        "--assign-to", str(member),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Imported 1 of 1 leads." in result.stdout
    leads, events, _ = _leads(run.url)
    assert [(x.company, x.source, x.partner_id) for x in leads] == [
        ("Acme Inc", "co_marketing", member)
    ]
    assert len(events) == 1 and events[0].actor_label.startswith("command line")
    assert events[0].actor_account_id is None


def test_bad_rows_are_named_and_nothing_is_written_unless_keep_going(run) -> None:
    bad = GOOD + "A,Jo,jo@example.com,00000,11-50,cloud\n"
    result = run("leads", "import", "-", "--vendor", "Cisco", stdin=bad)
    assert result.returncode == 1
    assert "line 3: company: at least 2 characters" in result.stderr
    assert "line 3: zip: unknown ZIP code 00000" in result.stderr
    assert "Nothing was imported" in result.stdout and _leads(run.url)[0] == []
    kept = run("leads", "import", "-", "--vendor", "Cisco", "--keep-going", stdin=bad)
    assert kept.returncode == 1 and "Imported 1 of 2 leads." in kept.stdout
    leads = _leads(run.url)[0]
    assert [(x.source, x.partner_id) for x in leads] == [("vendor_referral", None)]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--vendor", "Cisko"), 2, "unknown vendor 'Cisko'"),
        (("--vendor", "Cisco", "--campaign", "autumn"), 1, "Cisco has no campaign 'autumn'"),
        (("--vendor", "Cisco", "--assign-to", "999999"), 1, "no partner 999999"),
    ],
)
def test_refuses_unknown_vendors_campaigns_and_partners(
    run, tmp_path: Path, args: tuple[str, ...], code: int, message: str
) -> None:
    file = tmp_path / "leads.csv"
    file.write_text(GOOD, encoding="utf-8")
    result = run("leads", "import", str(file), *args)
    assert result.returncode == code and message in result.stderr
    assert _leads(run.url)[0] == []


def test_a_missing_file_is_an_invalid_argument(run) -> None:
    result = run("leads", "import", "nowhere.csv", "--vendor", "Cisco")
    assert result.returncode == 2 and "no such file: nowhere.csv" in result.stderr
