"""`python -m core worker [--once]` and `python -m core outbox` as a real process on a real
SQLite file, with a real SMTP server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine

from core.db import create_db_engine
from core.migrations import migrate
from core.models import utc_now
from core.worker.jobs import JOBS, Job
from core.worker.loop import run_once
from tests.conftest import REPO_ROOT
from tests.integration.notifications.conftest import add_messages
from tests.integration.notifications.smtp_server import SmtpServer


@pytest.fixture
def cli_db(tmp_path: Path) -> tuple[str, Engine]:
    url = f"sqlite:///{tmp_path / 'worker.sqlite'}"
    engine = create_db_engine(url)
    migrate(engine)
    return url, engine


def environment(url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "ATLAS_SMTP_URL"}
    return {**env, "DATABASE_URL": url, "ATLAS_WORKER_INTERVAL_SECONDS": "0.2", **extra}


def core(url: str, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "core", *args], cwd=REPO_ROOT, env=environment(url, **extra),
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def outbox(url: str, *args: str) -> dict:
    result = core(url, "outbox", "--format", "json", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_worker_once_without_smtp_leaves_the_messages_readable_in_the_outbox(
    cli_db: tuple[str, Engine],
) -> None:
    url, engine = cli_db
    ids = add_messages(engine, 2)
    result = core(url, "worker", "--once")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "nothing due"
    assert "ATLAS_SMTP_URL is not set" in result.stderr
    data = outbox(url)
    assert data["counts"] == {"pending": 2, "sent": 0, "failed": 0, "suppressed": 0}
    assert sorted(m["message_id"] for m in data["messages"]) == sorted(ids)
    assert {m["status"] for m in data["messages"]} == {"pending"}
    assert "This is message 0." in data["messages"][-1]["text_body"]
    table = core(url, "outbox", "--format", "table", "--limit", "1")
    assert table.returncode == 0 and "2 pending" in table.stdout
    assert len(table.stdout.strip().splitlines()) == 2  # the counts, one message


def test_worker_once_delivers_and_the_outbox_says_sent(
    cli_db: tuple[str, Engine], smtp_server: SmtpServer
) -> None:
    url, engine = cli_db
    add_messages(engine, 3)
    result = core(url, "worker", "--once", ATLAS_SMTP_URL=smtp_server.url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "delivery: 3"
    assert len(smtp_server.collector.received) == 3
    assert [m["status"] for m in outbox(url, "--status", "sent")["messages"]] == ["sent"] * 3
    assert outbox(url, "--status", "pending")["messages"] == []


def test_a_bad_smtp_url_is_said_once_without_the_password(cli_db: tuple[str, Engine]) -> None:
    result = core(cli_db[0], "worker", ATLAS_SMTP_URL="smtp://me:hunter2@mail:notaport")
    assert result.returncode == 2 and "ATLAS_SMTP_URL" in result.stderr
    assert "hunter2" not in result.stderr + result.stdout


def test_outbox_refuses_an_unknown_status(cli_db: tuple[str, Engine]) -> None:
    result = core(cli_db[0], "outbox", "--status", "lost")
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_the_running_worker_delivers_and_stops_cleanly_on_sigterm(
    cli_db: tuple[str, Engine], smtp_server: SmtpServer
) -> None:
    url, engine = cli_db
    process = subprocess.Popen(
        [sys.executable, "-m", "core", "worker"], cwd=REPO_ROOT,
        env=environment(url, ATLAS_SMTP_URL=smtp_server.url),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        add_messages(engine, 2)  # while it runs: it picks them up on a later pass
        deadline = time.monotonic() + 60
        while len(smtp_server.collector.received) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(smtp_server.collector.received) == 2
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "worker pass: delivery: 2" in err and "worker stopped" in err


def test_one_failing_job_does_not_stop_the_others(
    cli_db: tuple[str, Engine], caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_engine: Engine, _now: object) -> int:
        raise RuntimeError("a bug in one job")

    jobs = (Job("broken", broken), Job("counted", lambda _e, _n: 2), *JOBS)
    done = run_once(cli_db[1], utc_now(), jobs=jobs)
    assert (done["broken"], done["counted"], done["delivery"]) == (0, 2, 0)
    assert set(done) == {"broken", "counted"} | {job.name for job in JOBS}  # all of them ran
    assert "worker job broken failed" in caplog.text
    assert JOBS[-1].name == "delivery"  # delivery last: a pass sends what it created
