"""The app itself, timed in Chromium, on the paths users wait on (issue 17 item 3).

Each size gets its own `streamlit run deploy/serve.py` on a private copy of the benchmark
directory (bench.directories, migrated to the schema head; demo mode so the documented demo
accounts sign in), headless Debian Chromium, the map libraries served from local npm copies
as tests/e2e does (tests/e2e/assets.py). The server is warmed first (home page and one
search: the read index is built), because cold start is bench/cold_start.py's figure.
Every timing has the server process's CPU time over the same span (utime + stime from
/proc/<pid>/stat) and its resident memory afterwards (VmRSS) beside it; repeated runs,
p50/p95, every sample kept (``[wall_ms, server_cpu_ms, rss_mb]``).

Paths (module: what is timed and when it counts as done):

* filter change -> results (here, bench/browser_filter.py's changes on Find partners): a
  click on a need or an Enter in the radius until Streamlit is idle and the count changed;
* Regional map -> interactive, and a zoom's round trip (bench/app_map.py, whose docstring
  defines "interactive": Leaflet map with a loaded tile and the partner layer drawn, idle,
  and a zoom answered);
* vendor program page open and widget change (bench/app_program.py), on the directory WITH
  activity (``directory_url(n, with_activity=True)``): the other paths use the directory
  without it, as the other search benchmarks do;
* profile save -> saved, and -> visible in another browser session's search
  (bench/app_profile.py).

Targets (issue 17 item 7): map interactive <= 2 s at 1,000,000 partners through the app.
The figure of bench/map_payload.py is a static HTML file opened without Streamlit: kept
there, labelled as such, not this one.

Results: out_dir/app_paths.json. The machine's load average is recorded with each size: on
a shared 2-CPU machine, other work inflates wall times (not the server's CPU time).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.app_map import measure_map
from bench.app_profile import measure_profile_save
from bench.app_program import measure_program
from bench.app_server import (
    LOAD_TIMEOUT_MS,
    Sample,
    app_on_copy,
    chromium,
    measured,
    new_page,
    server_memory_mb,
    summarise,
    wait_idle,
    warm_up,
)
from bench.browser_filter import COUNT, RENDERED_JS, START_PATH, _changes
from bench.directories import directory_url
from tests.e2e.conftest import SCRIPT_IDLE_SELECTOR, AppServer

MAP_TARGET_S = 2.0
MAP_TARGET_SIZE = 1_000_000
WARMUP_CHANGES = 3


def measure_filter(browser: Any, assets: Any, server: AppServer, *, changes: int) -> dict[str, Any]:
    pid = server.process.pid
    page = new_page(browser, assets)
    samples: list[Sample] = []
    errors: list[str] = []
    try:
        page.goto(server.url + START_PATH)
        page.locator(COUNT).wait_for(timeout=LOAD_TIMEOUT_MS)
        wait_idle(page)
        cycle = _changes(page)
        for i in range(WARMUP_CHANGES + changes):
            name, (prepare, commit) = cycle[i % len(cycle)]
            prepare()
            before = page.locator(COUNT).inner_text()

            def commit_and_wait(commit: Any = commit, before: str = before) -> None:
                commit()
                page.wait_for_function(
                    RENDERED_JS,
                    arg=[SCRIPT_IDLE_SELECTOR, COUNT, before],
                    polling="raf",
                    timeout=LOAD_TIMEOUT_MS,
                )

            sample, _ = measured(pid, commit_and_wait)
            if i >= WARMUP_CHANGES:
                samples.append(sample)
            print(
                f"[bench] app filter {name:>18}: {sample.wall_ms:6.0f} ms (server CPU "
                f"{sample.cpu_ms:.0f} ms)",
                flush=True,
            )
    except Exception as exc:  # a timed-out run is reported, not hidden
        errors.append(f"{type(exc).__name__}: {str(exc)[:300]}")
        print(f"[bench] app filter failed: {errors[-1]}", flush=True)
    finally:
        page.context.close()
    return {"path": START_PATH, "filter_change": summarise(samples), "errors": errors}


def _measure_size(
    url: str, *, runs: int, changes: int, paths: tuple[str, ...], activity: bool
) -> dict[str, Any]:
    entry: dict[str, Any] = {"directory": Path(url).name, "load_average_before": os.getloadavg()}
    with (
        tempfile.TemporaryDirectory(prefix="bench-app-") as tmp,
        app_on_copy(url, Path(tmp)) as server,
        chromium() as (browser, assets),
    ):
        pid = server.process.pid
        entry["server_rss_after_start_mb"] = server_memory_mb(pid)
        entry["warm_up_s"] = warm_up(browser, assets, server)
        entry["server_rss_after_warm_up_mb"] = server_memory_mb(pid)
        if activity:
            entry["program_page"] = measure_program(
                browser, assets, server, runs=runs, changes=changes
            )
        if "filter" in paths:
            entry["filter"] = measure_filter(browser, assets, server, changes=changes)
        if "map" in paths:
            entry["map"] = measure_map(browser, assets, server, runs=runs)
        if "profile" in paths:
            entry["profile_save"] = measure_profile_save(browser, assets, server, runs=runs)
        entry["server_memory_at_end_mb"] = server_memory_mb(pid)
    entry["load_average_after"] = os.getloadavg()
    return entry


def _summary(size: int, entry: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def row(label: str, figures: dict[str, Any] | None, **target: Any) -> None:
        if not figures or not figures.get("runs"):
            return
        rows.append(
            {
                "metric": f"app, {size:,} partners: {label}, p50 / p95 (server CPU p50; RSS max)",
                "value": f"{figures['p50_ms']:.0f} / {figures['p95_ms']:.0f} ms "
                f"({figures['server_cpu_p50_ms']:.0f} ms; {figures['server_rss_max_mb']:.0f} MB)",
                **target,
            }
        )

    row("filter change → results", entry.get("filter", {}).get("filter_change"))
    interactive = entry.get("map", {}).get("interactive")
    if size == MAP_TARGET_SIZE and interactive and interactive.get("runs"):
        target = {
            "target": f"p50 ≤ {MAP_TARGET_S:.0f} s",
            "met": interactive["p50_ms"] <= 1000 * MAP_TARGET_S,
        }
    else:
        target = {}
    row("Regional map → interactive", interactive, **target)
    row("Regional map zoom → new detail drawn", entry.get("map", {}).get("zoom_round_trip"))
    row("vendor program page open", entry.get("program_page", {}).get("open"))
    row("vendor program page widget change", entry.get("program_page", {}).get("widget_change"))
    row("profile save → saved", entry.get("profile_save", {}).get("saved"))
    row(
        "profile save → in another session's search",
        entry.get("profile_save", {}).get("visible_in_other_session"),
    )
    for path in ("filter", "map", "program_page", "profile_save"):  # failures stay in the table
        if failed := entry.get(path, {}).get("errors"):
            rows.append({"metric": f"app, {size:,} partners: {path} errors", "value": failed})
    return rows


def run(
    *,
    sizes: list[int],
    out_dir: Path,
    runs: int = 5,
    changes: int = 12,
    program_sizes: list[int] | None = None,
) -> dict[str, Any]:
    """Measure every path at each size; the vendor page at ``program_sizes`` (default: the
    same sizes) on the directories with activity."""
    report: dict[str, Any] = {
        "benchmark": "the app in Chromium: filter change, Regional map, vendor page, profile save",
        "sizes": {},
        "program_page_sizes": {},
        "summary": [],
    }
    out_dir.mkdir(parents=True, exist_ok=True)

    def write() -> None:  # after every size: a run cut short still leaves its figures
        (out_dir / "app_paths.json").write_text(json.dumps(report, indent=2) + "\n")

    for size in sizes:
        started = time.perf_counter()
        entry = _measure_size(
            directory_url(size),
            runs=runs,
            changes=changes,
            paths=("filter", "map", "profile"),
            activity=False,
        )
        entry["seconds"] = round(time.perf_counter() - started)
        report["sizes"][str(size)] = entry
        report["summary"] += _summary(size, entry)
        write()
    for size in sizes if program_sizes is None else program_sizes:
        url = directory_url(size, with_activity=True)
        entry = _measure_size(url, runs=runs, changes=changes, paths=(), activity=True)
        report["program_page_sizes"][str(size)] = entry
        report["summary"] += _summary(size, entry)
        write()
    return report


if __name__ == "__main__":
    print(json.dumps(run(sizes=[10_000], out_dir=Path("bench/results"))["summary"], indent=2))
