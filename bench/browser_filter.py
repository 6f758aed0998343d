"""Find partners in a real browser: from changing a filter until the new results are rendered.

For each size: the seeded directory (``python -m core seed --partners N --no-activity``,
cached by ``bench.directories``) is copied to a temporary SQLite file, ``streamlit run``
serves the app on it, and headless Chromium opens a search near Chicago. Then it changes a
filter again and again — ticks and unticks need checkboxes, changes the radius — and times
each change from the click (or Enter) until Streamlit reports the script idle *and* the
results count shows the new number. Target: p50 <= 500 ms at 100,000 partners.
bench/app_paths.py times the same changes (imported from here) with the server's CPU time
and memory beside each.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.directories import directory_url, seed_seconds
from tests.e2e.assets import prepare_offline_assets
from tests.e2e.conftest import (
    CHROMIUM_ARGS,
    SCRIPT_IDLE_SELECTOR,
    copy_sqlite_database,
    find_chromium,
    launch_app_server,
)

TARGET_P50_MS = 500.0
START_PATH = "/find_partners?needs=security&near=60601&radius=80"
COUNT = ".st-key-find_result_count"
WARMUP_CHANGES = 4
# Rendered = no script run in progress and the count differs from the one before the change.
RENDERED_JS = """([idle, count, before]) => {
    const app = document.querySelector(idle);
    const shown = document.querySelector(count);
    return app !== null && shown !== null && shown.innerText !== before;
}"""


def _percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(p95, 1),
        "max_ms": round(ordered[-1], 1),
        "runs": len(ordered),
    }


Change = tuple[Callable[[], None], Callable[[], None]]  # (prepare, commit): only commit is timed


def _changes(page: Any) -> list[tuple[str, Change]]:
    """One cycle of filter changes that each alter the result count.

    The commit is a plain mouse click (positions found while preparing) or the Enter that
    commits a typed radius, so the time is the app's, not Playwright's actionability checks.
    """
    radius = page.get_by_role("spinbutton", name="Within (km)")

    def set_radius(km: int) -> Change:
        return (lambda: radius.fill(str(km)), lambda: radius.press("Enter"))

    def toggle(label: str) -> Change:
        box: dict[str, float] = {}

        def prepare() -> None:
            target = page.get_by_text(label, exact=True)
            target.scroll_into_view_if_needed()
            box.update(target.bounding_box())

        def commit() -> None:
            page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)

        return (prepare, commit)

    return [
        ("tick Cloud", toggle("Cloud")),
        ("tick Managed IT", toggle("Managed IT")),
        ("untick Cloud", toggle("Cloud")),
        ("radius 150 km", set_radius(150)),
        ("untick Managed IT", toggle("Managed IT")),
        ("radius 80 km", set_radius(80)),
    ]


def _time_change(page: Any, change: Change) -> tuple[float, str]:
    prepare, commit = change
    prepare()
    before = page.locator(COUNT).inner_text()
    started = time.perf_counter()
    commit()
    page.wait_for_function(
        RENDERED_JS, arg=[SCRIPT_IDLE_SELECTOR, COUNT, before], polling="raf", timeout=60_000
    )
    elapsed_ms = (time.perf_counter() - started) * 1000
    return elapsed_ms, page.locator(COUNT).inner_text()


def measure(url: str, *, changes: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    executable = find_chromium()
    if executable is None:
        raise RuntimeError("Chromium not found: apt-get install chromium")
    assets = prepare_offline_assets()
    samples: list[float] = []
    by_change: dict[str, list[float]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.route("**/*", assets.handle_route)
        page = context.new_page()
        # The home page first: a fresh server's first deep link shows "Page not found" over
        # the right page (Streamlit's legacy pages/ mode), which would block the clicks.
        page.goto(url)
        page.locator(SCRIPT_IDLE_SELECTOR).wait_for(state="attached", timeout=300_000)
        started = time.perf_counter()
        page.goto(url + START_PATH)
        page.locator(SCRIPT_IDLE_SELECTOR).wait_for(state="attached", timeout=300_000)
        page.locator(COUNT).wait_for(timeout=300_000)
        first_load_s = time.perf_counter() - started
        cycle = _changes(page)
        for i in range(WARMUP_CHANGES + changes):
            name, change = cycle[i % len(cycle)]
            elapsed, shown = _time_change(page, change)
            if i >= WARMUP_CHANGES:
                samples.append(elapsed)
                by_change.setdefault(name, []).append(elapsed)
                print(f"[bench] browser {name:>18}: {elapsed:6.0f} ms  ({shown})", flush=True)
        browser.close()
    return {
        "first_load_s": round(first_load_s, 2),
        "filter_change": _percentiles(samples),
        "by_change_p50_ms": {k: round(statistics.median(v), 1) for k, v in by_change.items()},
        "samples_ms": [round(s, 1) for s in samples],
    }


def run(*, sizes: list[int], out_dir: Path, changes: int = 24) -> dict[str, Any]:
    report: dict[str, Any] = {
        "benchmark": "browser: filter change to rendered results (Find partners, Chromium)",
        "start": START_PATH,
        "sizes": {},
        "summary": [],
    }
    for size in sizes:
        source = Path(directory_url(size).removeprefix("sqlite:///"))
        with tempfile.TemporaryDirectory(prefix="bench-browser-") as tmp:
            # A private copy: the app records demand events, the cached directory stays clean.
            database = Path(tmp) / "directory.sqlite"
            copy_sqlite_database(source, database)
            server = launch_app_server(
                f"sqlite:///{database}", Path(tmp) / "logs", {"ATLAS_DEMO_PARTNERS": "0"}
            )
            try:
                entry = measure(server.url, changes=changes)
            finally:
                server.stop()
        entry["seed_seconds"] = seed_seconds(size)
        report["sizes"][str(size)] = entry
        p50 = entry["filter_change"]["p50_ms"]
        report["summary"] += [
            {
                "metric": f"filter change → results rendered, p50 ({size:,} partners)",
                "value": f"{p50:.0f} ms",
                "target": f"≤ {TARGET_P50_MS:.0f} ms",
                "met": p50 <= TARGET_P50_MS,
            },
            {
                "metric": f"filter change → results rendered, p95 ({size:,} partners)",
                "value": f"{entry['filter_change']['p95_ms']:.0f} ms",
            },
            {
                "metric": f"first page load ({size:,} partners)",
                "value": f"{entry['first_load_s']} s",
            },
        ]
        print(f"[bench] browser {size:,}: p50 {p50} ms", flush=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "browser_filter.json").write_text(json.dumps(report, indent=2) + "\n")
    return report
