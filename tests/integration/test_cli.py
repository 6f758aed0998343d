"""`python -m core …` as administrators and scripts run it: a real process, a real SQLite file."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from core.interchange.format import csv_columns
from tests.conftest import REPO_ROOT

TEMPLATE = REPO_ROOT / "data" / "partner_template.csv"


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Run the CLI against a private SQLite file; returns the finished process."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite'}"}
    env.pop("ATLAS_PASSWORD", None)

    def _run(*args: str, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "core", *args],
            cwd=REPO_ROOT,
            env={**env, **(extra_env or {})},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    return _run


def query_near_austin(
    run: Callable[..., subprocess.CompletedProcess], command: str, needs: str, *options: str
) -> dict[str, Any]:
    """`search` or `team` for ``needs`` within 50 km of 78701, as parsed JSON."""
    near = ("--near", "78701", "--radius-km", "50", "--format", "json")
    result = run(command, "--needs", needs, *near, *options)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_seed_export_and_seed_if_empty(run, tmp_path: Path) -> None:
    seeded = run("seed", "--partners", "50")
    assert seeded.returncode == 0, seeded.stderr
    assert seeded.stdout.startswith("Seeded 50 partners")

    again = run("seed", "--partners", "50")
    assert again.returncode == 1
    assert "already has partners" in again.stderr

    skipped = run("seed", "--partners", "50", "--if-empty")
    assert skipped.returncode == 0
    assert "nothing seeded" in skipped.stdout

    target = tmp_path / "out.csv"
    exported = run("export", str(target))
    assert exported.returncode == 0, exported.stderr
    rows = list(csv.DictReader(target.open(encoding="utf-8", newline="")))
    assert len(rows) == 50 and rows[0]["partner_ref"] == "1"

    to_stdout = run("export", "-")
    assert to_stdout.returncode == 0
    assert to_stdout.stdout == target.read_text(encoding="utf-8")


def test_import_of_a_bad_file_names_the_line_and_imports_nothing(run, tmp_path: Path) -> None:
    columns = csv_columns()
    bad = tmp_path / "bad.csv"
    with bad.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n", restval="")
        writer.writeheader()
        writer.writerow({"name": "Fine Partner", "hq_zip": "78701"})
        writer.writerow({"name": "Nowhere Partner", "hq_zip": "99999"})

    result = run("import", str(bad))
    assert result.returncode == 1
    assert "line 3, column hq_zip: unknown ZIP code '99999'" in result.stderr
    assert "Nothing was imported" in result.stdout
    assert run("export", "-").stdout.count("\n") == 1  # the header only

    partial = run("import", str(bad), "--valid-rows-only")
    assert partial.returncode == 1
    assert "Imported 1 of 2 partners" in partial.stdout


def test_import_of_the_template_succeeds(run) -> None:
    result = run("import", str(TEMPLATE))
    assert result.returncode == 0, result.stderr
    assert "Imported 2 of 2 partners" in result.stdout
    exported = run("export", "-").stdout
    assert exported == TEMPLATE.read_text(encoding="utf-8")


def test_search_prints_json_and_rejects_invalid_queries(run) -> None:
    assert run("import", str(TEMPLATE)).returncode == 0
    data = query_near_austin(run, "search", "networking,security")
    assert data["total"] == 1 and data["page"] == 1
    first = data["results"][0]
    assert first["name"] == "Lone Star Network Solutions"
    assert {"partner_id", "score", "distance_km", "needs", "explanation"} <= set(first)

    invalid = run("search", "--needs", "teleportation")
    assert invalid.returncode == 2
    assert invalid.stderr.startswith("error: ") and "teleportation" in invalid.stderr


def test_team_prints_json(run, tmp_path: Path) -> None:
    pair = tmp_path / "pair.csv"
    pair.write_text(
        "name,hq_zip,level_networking,level_productivity\n"
        "Austin Networks,78701,3,\n"
        "Round Rock Office Pros,78664,,3\n",
        encoding="utf-8",
    )
    assert run("import", str(pair)).returncode == 0
    data = query_near_austin(run, "team", "networking,productivity", "--max-size", "2")
    assert data["size"] == 2
    members = {m["name"] for m in data["teams"][0]["members"]}
    assert members == {"Austin Networks", "Round Rock Office Pros"}


def test_create_account_reads_the_password_from_the_environment(run) -> None:
    created = run(
        "create-account",
        "--username",
        "root.admin",
        "--role",
        "admin",
        extra_env={"ATLAS_PASSWORD": "correct horse battery"},
    )
    assert created.returncode == 0, created.stderr
    assert "root.admin" in created.stdout

    weak = run(
        "create-account",
        "--username",
        "other",
        "--role",
        "admin",
        extra_env={"ATLAS_PASSWORD": "short"},
    )
    assert weak.returncode == 2
    assert weak.stderr.startswith("error: ")


def test_search_responsive_keeps_only_partners_answering_leads_in_time(run) -> None:
    assert run("import", str(TEMPLATE)).returncode == 0
    everyone = query_near_austin(run, "search", "networking")
    assert everyone["total"] >= 1
    assert everyone["results"][0]["responsiveness"] == {
        "leads": 0,
        "within_two_business_days": 0,
    }
    # No partner has 5 leads yet: the filter keeps nobody, and says so with an empty list.
    responsive = query_near_austin(run, "search", "networking", "--responsive")
    assert responsive["total"] == 0 and responsive["results"] == []
