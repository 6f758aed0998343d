"""Cold start, and the index snapshot's costs (issue 15: start to first search page ≤ 10 s at 1M).

Cold start: from starting ``streamlit run deploy/serve.py`` until Find partners (a search
near Chicago) is rendered in headless Chromium (the browser is already running; the clock
starts when the server process is spawned). Three ways, each on a fresh copy of the seeded
directory and a fresh server:

- ``no_snapshot``: ATLAS_INDEX_SNAPSHOT_DIR=off, the index is built in the app process (the
  behaviour before issue 15);
- ``first_start``: snapshots on, none on disk yet: the first search builds in a child process
  and maps the snapshot it wrote;
- ``from_snapshot``: snapshots on, today's snapshot written beforehand by
  ``python -m core index-snapshot``.

Snapshot figures, each from a fresh Python process (``probe``): build seconds, snapshot size,
load seconds, RSS (private ``RssAnon`` and shared file-backed ``RssFile``) after load and
after the first search (which touches the pages it needs); RSS after three rebuilds in a child
process (build_snapshot_in_subprocess) against three in-process builds (build_read_index,
keeping one index at a time as the holder does). Result: out_dir/cold_start.json.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench.directories import directory_url
from bench.report import figure
from tests.e2e.assets import prepare_offline_assets
from tests.e2e.conftest import (
    CHROMIUM_ARGS,
    SCRIPT_IDLE_SELECTOR,
    copy_sqlite_database,
    find_chromium,
    launch_app_server,
)

TARGET_SECONDS = 10.0
START_PATH = "/find_partners?needs=security&near=60601&radius=80"
COUNT = ".st-key-find_result_count"
REPO_ROOT = Path(__file__).resolve().parent.parent
REBUILDS = 3


def _status_mb() -> dict[str, float]:
    """This process's resident memory from /proc: private (anon) and file-backed (shared)."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "RssAnon", "RssFile", "VmHWM"):
            fields[key] = round(int(value.split()[0]) / 1024, 1)
    return fields


def probe(mode: str, url: str, directory: str) -> dict[str, Any]:
    """Run in a fresh process (``python -m bench.cold_start probe MODE URL DIR``)."""
    from core.db import create_db_engine
    from core.search.index import build_read_index
    from core.search.query import parse_query
    from core.search.ranking import search_index
    from core.search.snapshot import load_snapshot
    from core.search.snapshot_build import build_snapshot_in_subprocess

    today = date.today()
    query = parse_query({"needs": ["security"], "near": "60601", "radius_km": 80})
    out: dict[str, Any] = {"start": _status_mb()}
    if mode == "in_process":
        engine = create_db_engine(url)
        index = None
        for number in range(1, REBUILDS + 1):
            started = time.perf_counter()
            index = build_read_index(engine, today=today)
            out[f"build_{number}_s"] = round(time.perf_counter() - started, 2)
            search_index(index, query)
            out[f"after_build_{number}"] = _status_mb()
        return out
    started = time.perf_counter()
    loaded = load_snapshot(Path(directory), today=today)
    out["load_s"] = round(time.perf_counter() - started, 3)
    if loaded is None:
        raise SystemExit("no snapshot to load")
    out["after_load"] = _status_mb()
    started = time.perf_counter()
    search_index(loaded, query)
    out["first_search_s"] = round(time.perf_counter() - started, 3)
    out["after_first_search"] = _status_mb()
    if mode == "child_rebuilds":
        index = loaded
        for number in range(1, REBUILDS + 1):
            started = time.perf_counter()
            index = build_snapshot_in_subprocess(
                database_url=url, directory=Path(directory), today=today
            )
            out[f"rebuild_{number}_s"] = round(time.perf_counter() - started, 2)
            search_index(index, query)
            out[f"after_rebuild_{number}"] = _status_mb()
    return out


def _run_probe(mode: str, url: str, directory: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.cold_start", "probe", mode, url, str(directory)],
        cwd=REPO_ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def _write_snapshot(url: str, base: Path) -> dict[str, Any]:
    env_cmd = [sys.executable, "-m", "core", "index-snapshot", "--directory", str(base)]
    started = time.perf_counter()
    done = subprocess.run(
        env_cmd, cwd=REPO_ROOT, capture_output=True, text=True, check=True,
        env={**_environ(), "DATABASE_URL": url, "ATLAS_DEMO": "1"},
    )  # fmt: skip
    path = Path(done.stdout.strip().split(":")[0])
    return {
        "command_s": round(time.perf_counter() - started, 2),
        "output": done.stdout.strip(),
        "path": path,
        "size_mb": round(sum(f.stat().st_size for f in path.iterdir()) / 1e6, 1),
    }


def _environ() -> dict[str, str]:
    import os

    return dict(os.environ)


def _server_mb(pid: int) -> dict[str, float]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "RssAnon", "RssFile"):
            fields[key] = round(int(value.split()[0]) / 1024, 1)
    return fields


def cold_start(browser: Any, assets: Any, database: Path, tmp: Path, env: dict[str, str]) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route("**/*", assets.handle_route)
    page = context.new_page()
    started = time.perf_counter()
    server = launch_app_server(f"sqlite:///{database}", tmp / f"logs-{time.time_ns()}", env)
    try:
        healthy_s = time.perf_counter() - started
        page.goto(server.url + START_PATH, timeout=600_000)
        page.locator(COUNT).wait_for(timeout=600_000)
        page.locator(SCRIPT_IDLE_SELECTOR).wait_for(state="attached", timeout=600_000)
        rendered_s = time.perf_counter() - started
        shown = page.locator(COUNT).inner_text()
        memory = _server_mb(server.process.pid)
    finally:
        server.stop()
        context.close()
    return {
        "server_healthy_s": round(healthy_s, 2),
        "first_search_rendered_s": round(rendered_s, 2),
        "shown": shown,
        "server_memory_mb": memory,
    }


def measure(size: int, tmp: Path) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    source = Path(directory_url(size).removeprefix("sqlite:///"))
    database = tmp / "directory.sqlite"
    copy_sqlite_database(source, database)
    url = f"sqlite:///{database}"
    entry: dict[str, Any] = {}
    snapshots = tmp / "index"
    written = _write_snapshot(url, snapshots)
    directory = written.pop("path").parent
    entry["snapshot"] = written
    entry["probe_in_process_builds"] = _run_probe("in_process", url, directory)
    entry["probe_load_and_child_rebuilds"] = _run_probe("child_rebuilds", url, directory)
    print(f"[bench] cold start {size:,}: snapshot {json.dumps(entry, default=str)}", flush=True)

    executable = find_chromium()
    if executable is None:
        raise RuntimeError("Chromium not found: apt-get install chromium")
    assets = prepare_offline_assets()
    base_env = {"ATLAS_DEMO": "1", "ATLAS_DEMO_PARTNERS": "0"}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        runs = {
            "no_snapshot": {"ATLAS_INDEX_SNAPSHOT_DIR": "off"},
            "first_start": {"ATLAS_INDEX_SNAPSHOT_DIR": str(tmp / "index-empty")},
            "from_snapshot": {"ATLAS_INDEX_SNAPSHOT_DIR": str(snapshots)},
        }
        for name, extra in runs.items():
            entry[name] = cold_start(browser, assets, database, tmp, {**base_env, **extra})
            print(f"[bench] cold start {size:,} {name}: {entry[name]}", flush=True)
        browser.close()
    return entry


def figures_of(entry: dict[str, Any], size: int) -> list[dict[str, Any]]:
    """The README's figures (bench/report.py): the start from a snapshot against today's start
    without one, and the app process's private memory over three rebuilds, in a child
    process (the app's way) against in this process (today's)."""
    builds = entry["probe_in_process_builds"]
    children = entry["probe_load_and_child_rebuilds"]
    before = "no snapshot (before issue 15)"
    return [
        figure(
            name="cold start -> first search page rendered", key="cold_start", size=size,
            unit="s", project=entry["from_snapshot"]["first_search_rendered_s"],
            best_baseline=entry["no_snapshot"]["first_search_rendered_s"],
            best_baseline_name=before, target=f"<= {TARGET_SECONDS:.0f} s",
        ),
        figure(
            name="app private memory after 3 full rebuilds", size=size, unit="MB",
            project=children["after_rebuild_3"]["RssAnon"],
            best_baseline=builds["after_build_3"]["RssAnon"],
            best_baseline_name="3 builds in the app process (before issue 15)",
        ),
        figure(
            name="index snapshot load", size=size, unit="s", project=children["load_s"],
        ),
    ]  # fmt: skip


def run(*, sizes: list[int], out_dir: Path) -> dict[str, Any]:
    report: dict[str, Any] = {
        "benchmark": "cold start: server process start to first search page rendered (Chromium)",
        "start": START_PATH,
        "sizes": {},
        "summary": [],
    }
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="bench-cold-") as tmp:
            entry = measure(size, Path(tmp))
        report["sizes"][str(size)] = entry
        report.setdefault("figures", []).extend(figures_of(entry, size))
        with_snapshot = entry["from_snapshot"]["first_search_rendered_s"]
        report["summary"] += [
            {
                "metric": f"cold start → first search page, from snapshot ({size:,} partners)",
                "value": f"{with_snapshot} s",
                "target": f"≤ {TARGET_SECONDS:.0f} s",
                "met": with_snapshot <= TARGET_SECONDS,
                "today": f"{entry['no_snapshot']['first_search_rendered_s']} s (no snapshot)",
            },
            {
                "metric": f"index snapshot load ({size:,} partners)",
                "value": f"{entry['probe_load_and_child_rebuilds']['load_s']} s",
            },
        ]
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "cold_start.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    return report


if __name__ == "__main__":
    if sys.argv[1] == "probe":
        print(json.dumps(probe(sys.argv[2], sys.argv[3], sys.argv[4])))
    else:
        sizes = [int(s) for s in sys.argv[1].split(",")]
        print(json.dumps(run(sizes=sizes, out_dir=Path(sys.argv[2])), indent=2, default=str))
