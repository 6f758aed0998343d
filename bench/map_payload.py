"""Regional map at 100k / 1M matching partners, beside a straightforward folium baseline.

For every size: the server-side build (level-of-detail plan, aggregation, choropleth counts,
folium map and its HTML) and the HTML payload, for three views a visitor meets: the whole
country, a metro area zoomed in and a downtown view (the level of detail each gets, state
totals, grid cells or single markers, is reported beside it). Baseline: one folium Marker per
partner in a MarkerCluster, at 10,000 partners. In Chromium (offline assets from
tests/e2e/assets.py): time until the 100k map's static HTML file, opened from a plain file
server, shows its partner layer and answers, beside the baseline page. That figure never
touches the app (no Streamlit, no WebSocket, no component iframe, no search): the map through
the app is bench/app_paths.py's (bench/app_map.py), and the README target is measured there.

The directory is synthetic (ReadIndex arrays with partners at real ZIP positions): building a
million-partner database first would measure the seeder, not the map.
"""

from __future__ import annotations

import functools
import json
import statistics
import tempfile
import threading
import time
from datetime import date
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import folium
import numpy as np
import pyarrow as pa
from folium.plugins import MarkerCluster

from core.analytics.coverage import partners_per_state, state_values
from core.geo.zip_data import zip_places
from core.maps.build import build_partner_layer, build_regional_base_map, render_map_html
from core.maps.data import marker_rows
from core.maps.escaping import escape_for_map
from core.maps.layers import (
    MapView,
    grid_bubbles,
    hq_positions,
    plan_detail,
    state_bubbles,
)
from core.maps.regions import Choropleth
from core.search.index import STATE_CODES, ReadIndex
from core.search.query import SearchQuery
from core.search.ranking import match_partners
from core.taxonomy import get_taxonomy

PAYLOAD_TARGET_MB = 1.5
BUILD_TARGET_MS = 300.0
BASELINE_SIZE = 10_000
RUNS = 5
VIEWS = {
    "whole country": None,
    "Chicago area, zoom 8": MapView(41.3, -88.9, 42.4, -87.0, 8),
    "downtown Chicago, zoom 13": MapView(41.86, -87.66, 41.90, -87.60, 13),
}


def synthetic_index(size: int, seed: int = 7) -> ReadIndex:
    """A ReadIndex of ``size`` partners at real ZIP positions (one location each)."""
    rng = np.random.default_rng(seed)
    taxonomy = get_taxonomy()
    places = zip_places()
    pick = rng.integers(0, len(places), size)
    jitter = rng.normal(0, 0.01, (size, 2))
    lat = places["latitude"].to_numpy()[pick] + jitter[:, 0]
    lon = places["longitude"].to_numpy()[pick] + jitter[:, 1]
    state_idx = np.asarray([STATE_CODES.index(s) for s in places["state"]], dtype=np.int8)[pick]
    cities = places["city"].to_numpy()[pick]
    claimed = rng.integers(0, 4, (size, len(taxonomy.area_keys)), dtype=np.int8)
    evidenced = np.minimum(claimed, rng.integers(0, 4, claimed.shape, dtype=np.int8))
    # Names carry characters that must be escaped, so the benchmark pays for escaping too.
    names = [f"Partner <{i}> & Co `${i}`" for i in range(size)]
    states = np.asarray(STATE_CODES)[state_idx]
    return ReadIndex(
        data_version=1,
        built_for_day=date.today(),
        build_seconds=0.0,
        area_keys=taxonomy.area_keys,
        technology_columns=np.asarray([a.group == "technology" for a in taxonomy.areas]),
        partner_ids=np.arange(1, size + 1, dtype=np.int64),
        names=pa.array(names, type=pa.large_string()),
        search_text=pa.array([n.lower() for n in names], type=pa.large_string()),
        hq_city=pa.array([f"{c}, {s}" for c, s in zip(cities, states, strict=True)]),
        claimed=claimed,
        evidenced=evidenced,
        hq_latitude=lat,
        hq_longitude=lon,
        service_radius_km=np.zeros(size, dtype=np.float32),
        states_served=np.zeros(size, dtype=np.uint64),
        location_states=np.left_shift(np.uint64(1), state_idx.astype(np.uint64)),
        segments=np.zeros(size, dtype=np.uint8),
        vendors=np.zeros(size, dtype=np.uint64),
        vendor_names=(),
        freshness_ts=np.zeros(size),
        updated_ts=np.zeros(size),
        verified_ts=np.full(size, np.nan),
        loc_row=np.arange(size, dtype=np.int32),
        loc_latitude=lat.copy(),
        loc_longitude=lon.copy(),
        loc_state=state_idx,
    )


def build_map_html(index: ReadIndex, query: SearchQuery, view: MapView | None) -> tuple[str, str]:
    """What the page does on the server for one view: returns (level, HTML page)."""
    matches = match_partners(index, query, None)
    rows, lat, lon = hq_positions(index, matches.rows)
    plan = plan_detail(lat, lon, view)
    if plan.level == "markers":
        layer = build_partner_layer(plan, markers=marker_rows(index, query, matches, plan))
    elif plan.level == "states":
        layer = build_partner_layer(plan, bubbles=state_bubbles(index, rows))
    else:
        layer = build_partner_layer(plan, bubbles=grid_bubbles(lat, lon, plan))
    choropleth = Choropleth(
        state_values(partners_per_state(index, matches.rows)),
        "Partners matching the search",
        "matching partners",
    )
    return plan.level, render_map_html(build_regional_base_map(choropleth=choropleth), [layer])


def timed_ms(fn, runs: int = RUNS) -> tuple[float, Any]:  # type: ignore[no-untyped-def]
    samples, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(samples), 1), result


def baseline_html(index: ReadIndex, size: int) -> str:
    """The straightforward map: a folium Marker with popup and tooltip per partner.

    Names are escaped here too: unescaped, the benchmark names break folium's script (which is
    the injection the regional map guards against), and a broken page measures nothing.
    """
    m = folium.Map(location=[39.5, -98.35], zoom_start=4)
    cluster = MarkerCluster().add_to(m)
    names = [escape_for_map(name) for name in index.names.slice(0, size).to_pylist()]
    for i in range(size):
        folium.Marker(
            [float(index.hq_latitude[i]), float(index.hq_longitude[i])],
            popup=folium.Popup(names[i]),
            tooltip=names[i],
        ).add_to(cluster)
    return m.get_root().render()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _serve(directory: Path) -> ThreadingHTTPServer:
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def browser_times(pages: dict[str, tuple[str, str]]) -> dict[str, float | str]:
    """Seconds from navigation until each page's partner layer is drawn and the map answers.

    ``pages``: name -> (html, CSS selector of the partner layer's elements).
    """
    try:
        from playwright.sync_api import sync_playwright

        from tests.e2e.assets import prepare_offline_assets
        from tests.e2e.conftest import CHROMIUM_ARGS, find_chromium
    except ImportError as exc:  # the benchmark still reports the Python figures
        return dict.fromkeys(pages, f"skipped: {exc}")
    chromium = find_chromium()
    if chromium is None:
        return dict.fromkeys(pages, "skipped: no Chromium")
    assets = prepare_offline_assets()
    out: dict[str, float | str] = {}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        folder = Path(tmp)
        server = _serve(folder)
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            for name, (page_html, selector) in pages.items():
                file_name = f"{abs(hash(name))}.html"
                (folder / file_name).write_text(page_html, encoding="utf-8")
                context = browser.new_context(viewport={"width": 1280, "height": 800})
                context.route("**/*", assets.handle_route)
                page = context.new_page()
                page.goto(f"http://127.0.0.1:{server.server_address[1]}/{file_name}")
                page.wait_for_selector(selector, timeout=120_000)
                # "Answers": the next animation frame runs, i.e. the main thread is free again.
                seconds = page.evaluate(
                    "() => new Promise(r => requestAnimationFrame(() => r(performance.now())))"
                )
                out[name] = round(seconds / 1000, 2)
                context.close()
        finally:
            browser.close()
            server.shutdown()
    return out


def run(*, sizes: list[int], out_dir: Path) -> dict[str, Any]:
    summary: list[dict[str, Any]] = []
    details: dict[str, Any] = {}
    query = SearchQuery()  # every partner matches: the worst case for the map
    pages: dict[str, tuple[str, str]] = {}
    build_map_html(synthetic_index(1000), query, None)  # warm caches (state shapes, ZIPs)
    for size in sizes:
        index = synthetic_index(size)
        match_ms, _ = timed_ms(lambda index=index: match_partners(index, query, None))
        per_view = {}
        for view_name, view in VIEWS.items():
            build_ms, (level, page_html) = timed_ms(
                lambda index=index, view=view: build_map_html(index, query, view)
            )
            payload_mb = round(len(page_html.encode()) / 1e6, 3)
            per_view[view_name] = {"level": level, "build_ms": build_ms, "payload_mb": payload_mb}
            summary += [
                {
                    "metric": f"{size:,} matching · {view_name} ({level}): server build",
                    "value": f"{build_ms} ms",
                    "target": f"≤ {BUILD_TARGET_MS:.0f} ms",
                    "met": build_ms <= BUILD_TARGET_MS,
                },
                {
                    "metric": f"{size:,} matching · {view_name} ({level}): HTML payload",
                    "value": f"{payload_mb} MB",
                    "target": f"≤ {PAYLOAD_TARGET_MB} MB",
                    "met": payload_mb <= PAYLOAD_TARGET_MB,
                },
            ]
            if size == 100_000 and view is None:
                pages[f"regional map, {size:,} partners"] = (page_html, ".pa-bubble")
        details[str(size)] = {"match_ms": match_ms, "views": per_view}

    baseline_index = synthetic_index(BASELINE_SIZE)
    started = time.perf_counter()
    page_html = baseline_html(baseline_index, BASELINE_SIZE)
    baseline_ms = round((time.perf_counter() - started) * 1000, 1)
    baseline_mb = round(len(page_html.encode()) / 1e6, 3)
    details["baseline"] = {
        "size": BASELINE_SIZE,
        "build_ms": baseline_ms,
        "payload_mb": baseline_mb,
    }
    summary += [
        {"metric": f"baseline ({BASELINE_SIZE:,} folium Markers): server build",
         "value": f"{baseline_ms} ms"},
        {"metric": f"baseline ({BASELINE_SIZE:,} folium Markers): HTML payload",
         "value": f"{baseline_mb} MB"},
    ]  # fmt: skip
    pages[f"baseline, {BASELINE_SIZE:,} markers"] = (page_html, ".marker-cluster")

    browser = browser_times(pages)
    details["browser_interactive_s"] = browser
    for name, seconds in browser.items():
        # Not the app: a static HTML file (see the docstring); no target is claimed on it.
        label = f"Chromium, static HTML file without Streamlit (not the app): {name}"
        row: dict[str, Any] = {"metric": label, "value": seconds}
        if isinstance(seconds, float):
            row["value"] = f"{seconds} s"
        summary.append(row)

    report = {"benchmark": "Regional map payload and build", "summary": summary, **details}
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "map.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


if __name__ == "__main__":
    print(json.dumps(run(sizes=[100_000, 1_000_000], out_dir=Path("bench/results")), indent=2))
