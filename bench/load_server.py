"""The server side of bench/load.py: start a `streamlit run` process, read its CPU and memory.

The process is `streamlit run deploy/serve.py` (the app, as `make run` serves it) or
`streamlit run bench/floor_app/app.py` (the floor). With ``profile_to`` it runs under
bench/load_profiler.py, which profiles every thread with cProfile and writes the merged
statistics when the server stops: the numbers then include the profiler's overhead, so a
profiled run is for *where* the CPU goes, never for the figures in load.json.

CPU and memory come from /proc (psutil is not a dependency): utime + stime of the server
process (all its threads: the event loop and every script run) and its VmRSS.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import REPO_ROOT
from tests.e2e.conftest import SERVER_START_TIMEOUT_S, AppServer, _free_port, _wait_until_healthy

APP_SCRIPT = "deploy/serve.py"
FLOOR_SCRIPT = "bench/floor_app/app.py"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def launch(
    script: str,
    database_url: str,
    log_dir: Path,
    *,
    profile_to: Path | None = None,
    extra_env: dict[str, str] | None = None,
    root: Path = REPO_ROOT,
) -> AppServer:
    """Start ``streamlit run <script>`` on a free loopback port and wait until it is healthy.

    ``root`` is the checkout served: another one (e.g. ``git archive`` of an older commit with
    this .venv linked in) measures an earlier version of the app in the same run."""
    log_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1", **(extra_env or {})}
    port = _free_port()
    runner = [sys.executable, "-m", "streamlit"]
    if profile_to is not None:
        runner = [sys.executable, str(REPO_ROOT / "bench" / "load_profiler.py"), str(profile_to)]
    argv = [
        *runner, "run", script,
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    with (log_dir / "stdout.log").open("wb") as out, (log_dir / "stderr.log").open("wb") as err:
        process = subprocess.Popen(
            argv, cwd=root, env=env, stdout=out, stderr=err, start_new_session=True
        )
    server = AppServer(
        url=f"http://127.0.0.1:{port}",
        port=port,
        database_url=database_url,
        process=process,
        log_dir=log_dir,
    )
    try:
        _wait_until_healthy(server, time.monotonic() + SERVER_START_TIMEOUT_S)
    except BaseException:
        server.stop()
        raise
    return server


@dataclass(frozen=True)
class Usage:
    """A snapshot of one process: CPU seconds so far and resident memory."""

    cpu_s: float
    rss_mb: float


def usage(pid: int) -> Usage:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # After the ")" of the command name: state is field 0, utime 11, stime 12.
    cpu_s = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    rss_kb = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss_kb = int(line.split()[1])
    return Usage(cpu_s=cpu_s, rss_mb=rss_kb / 1024)


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, all cores (/proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])  # guest time is already counted in user
    return (total - idle) / CLOCK_TICKS, total / CLOCK_TICKS


def stop(server: AppServer) -> None:
    server.stop()


def wait_for_file(path: Path, timeout_s: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if path.exists() and path.stat().st_size > 0:
            return True
        time.sleep(0.2)
    return False


__all__ = ["APP_SCRIPT", "FLOOR_SCRIPT", "Usage", "launch", "machine_busy", "stop", "usage"]
