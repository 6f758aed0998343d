"""The app under measurement: `streamlit run deploy/serve.py` on a private copy of a benchmark
directory, Chromium with the map libraries served locally, and the server's CPU time and memory
read from /proc beside every timing.

Shared by the paths of bench/app_paths.py (bench/app_map.py, app_program.py, app_profile.py).
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.e2e.assets import OfflineAssets, prepare_offline_assets
from tests.e2e.conftest import (
    CHROMIUM_ARGS,
    SCRIPT_IDLE_SELECTOR,
    AppServer,
    copy_sqlite_database,
    find_chromium,
    launch_app_server,
)

TICKS = os.sysconf("SC_CLK_TCK")
LOAD_TIMEOUT_MS = 600_000  # a first page at 1M builds the read index: minutes on 2 CPUs


def server_cpu_s(pid: int) -> float:
    """User + system CPU seconds of the server process (its threads included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime (fields 14, 15)


def server_memory_mb(pid: int) -> dict[str, float]:
    """Resident memory now and its peak (VmRSS, VmHWM) in MB."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            out["rss_mb" if name == "VmRSS" else "peak_rss_mb"] = round(
                int(value.split()[0]) / 1024, 1
            )
    return out


@dataclass
class Sample:
    wall_ms: float
    cpu_ms: float  # the server's CPU time spent during the sample
    rss_mb: float  # the server's resident memory right after it


def measured(pid: int, work: Callable[[], Any]) -> tuple[Sample, Any]:
    """Run `work` (which drives the browser and waits for its end condition) and return its wall
    time with the server's CPU time over the same span and its memory afterwards."""
    cpu_before = server_cpu_s(pid)
    started = time.perf_counter()
    result = work()
    wall_ms = (time.perf_counter() - started) * 1000
    cpu_ms = (server_cpu_s(pid) - cpu_before) * 1000
    return Sample(round(wall_ms, 1), round(cpu_ms, 1), server_memory_mb(pid)["rss_mb"]), result


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summarise(samples: list[Sample]) -> dict[str, Any]:
    """p50/p95 of wall time and server CPU per run, the largest RSS seen, and every sample."""
    if not samples:
        return {"runs": 0}
    walls = sorted(s.wall_ms for s in samples)
    cpus = sorted(s.cpu_ms for s in samples)
    return {
        "runs": len(samples),
        "p50_ms": round(statistics.median(walls), 1),
        "p95_ms": round(percentile(walls, 0.95), 1),
        "max_ms": walls[-1],
        "server_cpu_p50_ms": round(statistics.median(cpus), 1),
        "server_cpu_p95_ms": round(percentile(cpus, 0.95), 1),
        "server_rss_max_mb": max(s.rss_mb for s in samples),
        "samples": [[s.wall_ms, s.cpu_ms, s.rss_mb] for s in samples],
    }


def wait_idle(page: Any, timeout_ms: float = LOAD_TIMEOUT_MS) -> None:
    page.locator(SCRIPT_IDLE_SELECTOR).wait_for(state="attached", timeout=timeout_ms)


@contextmanager
def app_on_copy(source_url: str, workdir: Path, demo: bool = True) -> Iterator[AppServer]:
    """The app on a private copy of a cached directory: the app writes (sessions, demand
    events, profile saves), the cached directory stays clean. Demo mode, so the documented
    demo accounts may sign in; no demo partners are added to the directory."""
    database = workdir / "directory.sqlite"
    copy_sqlite_database(Path(source_url.removeprefix("sqlite:///")), database)
    env = {"ATLAS_DEMO": "1" if demo else "0", "ATLAS_DEMO_PARTNERS": "0"}
    server = launch_app_server(f"sqlite:///{database}", workdir / "logs", env)
    try:
        yield server
    finally:
        server.stop()
        database.unlink(missing_ok=True)


@contextmanager
def chromium() -> Iterator[tuple[Any, OfflineAssets]]:
    """Headless Debian Chromium and the offline map assets (as tests/e2e uses them)."""
    from playwright.sync_api import sync_playwright

    executable = find_chromium()
    if executable is None:
        raise RuntimeError("Chromium not found: apt-get install chromium")
    assets = prepare_offline_assets()
    if assets.missing_essentials:
        raise RuntimeError(f"offline map libraries missing: {assets.missing_essentials}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser, assets
        finally:
            browser.close()


def new_page(browser: Any, assets: OfflineAssets) -> Any:
    """A fresh context (its own cookies, so its own Streamlit session) and page."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route("**/*", assets.handle_route)
    page = context.new_page()
    page.set_default_timeout(LOAD_TIMEOUT_MS)
    return page


def warm_up(browser: Any, assets: OfflineAssets, server: AppServer) -> float:
    """Open the home page and one search, so the read index is built before any timing
    (cold start is bench/cold_start.py's); returns the seconds that took."""
    page = new_page(browser, assets)
    started = time.perf_counter()
    page.goto(server.url)
    wait_idle(page)
    page.goto(f"{server.url}/find_partners?needs=security")
    wait_idle(page)
    page.locator(".st-key-find_result_count").wait_for(timeout=LOAD_TIMEOUT_MS)
    page.context.close()
    return round(time.perf_counter() - started, 1)
