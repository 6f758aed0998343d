"""The Regional map through the app: navigation -> interactive, and a zoom -> new detail drawn.

"Interactive" here means all of, in a fresh browser context (a new Streamlit session, the
server already warm: cold start is bench/cold_start.py's):

1. Streamlit reports no script run in progress;
2. inside the map's component iframe the Leaflet map exists, holds a tile layer with at least
   one tile loaded (tiles are answered locally with a transparent PNG: the tile servers are
   not the app's time) and the partner layer is drawn (a ``.pa-bubble`` or ``.pa-pin``);
3. the map answers a zoom: ``map.zoomIn()`` fires ``zoomend`` and the next animation frame
   runs. That is the browser side only: what the visitor sees move.

The second figure is the round trip a zoom costs: from ``map.setView`` onto downtown Chicago
until the server has rerun the map's fragment and the partner layer in the iframe has changed
(another level of detail: state totals -> grid cells or pins) and Streamlit is idle again.

Every partner matches (no filter): the map's worst case. The map libraries (Leaflet,
markercluster, jQuery) come from local npm copies, as in tests/e2e.
"""

from __future__ import annotations

import time
from typing import Any

from bench.app_server import LOAD_TIMEOUT_MS, Sample, measured, new_page, summarise, wait_idle
from tests.e2e.conftest import SCRIPT_IDLE_SELECTOR, AppServer

PATH = "/regional_map"
IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
CHICAGO = (41.88, -87.63, 10)

# In the iframe: Leaflet map, a tile layer with a loaded tile, the partner layer drawn.
DRAWN_JS = """() => {
    const m = window.map;
    if (!m || !m._layers) return false;
    const tiles = Object.values(m._layers).some(l => l instanceof L.TileLayer);
    const loaded = document.querySelector('.leaflet-tile-loaded') !== null;
    const partners = document.querySelector('.pa-bubble, .pa-pin') !== null;
    return tiles && loaded && partners;
}"""
ZOOM_JS = """() => new Promise(resolve => {
    const m = window.map;
    m.once('zoomend', () => requestAnimationFrame(() => resolve(m.getZoom())));
    m.zoomIn(1);
})"""
# What the partner layer shows: its elements' count and text.
SIGNATURE_JS = """() => {
    const shown = [...document.querySelectorAll('.pa-bubble, .pa-pin')];
    return shown.length + ':' + shown.slice(0, 50).map(e => e.textContent).join('|');
}"""


def _map_frame(page: Any) -> Any:
    handle = page.wait_for_selector(IFRAME, state="attached", timeout=LOAD_TIMEOUT_MS)
    frame = None
    while frame is None:  # the iframe element shows before its document
        frame = handle.content_frame()
    return frame


def _interactive(page: Any, url: str) -> dict[str, Any]:
    page.goto(url)
    frame = _map_frame(page)
    frame.wait_for_function(DRAWN_JS, polling="raf", timeout=LOAD_TIMEOUT_MS)
    wait_idle(page)
    zoom = frame.evaluate(ZOOM_JS)
    return {"zoom_after": zoom, "partner_layer": frame.evaluate(SIGNATURE_JS).split(":")[0]}


def _zoom_round_trip(page: Any) -> str:
    frame = _map_frame(page)
    before = frame.evaluate(SIGNATURE_JS)
    lat, lon, zoom = CHICAGO
    frame.evaluate(f"() => window.map.setView([{lat}, {lon}], {zoom}, {{animate: false}})")
    frame.wait_for_function(
        f"() => ({SIGNATURE_JS})() !== {before!r}", polling="raf", timeout=LOAD_TIMEOUT_MS
    )
    page.wait_for_function(
        f"() => document.querySelector('{SCRIPT_IDLE_SELECTOR}') !== null",
        polling="raf",
        timeout=LOAD_TIMEOUT_MS,
    )
    return str(frame.evaluate(SIGNATURE_JS)).split(":")[0]


def measure_map(browser: Any, assets: Any, server: AppServer, *, runs: int) -> dict[str, Any]:
    pid = server.process.pid
    interactive: list[Sample] = []
    zooms: list[Sample] = []
    errors: list[str] = []
    shown: dict[str, Any] = {}
    for i in range(runs + 1):  # the first run warms the page's own caches, not recorded
        page = new_page(browser, assets)
        try:
            sample, shown = measured(pid, lambda page=page: _interactive(page, server.url + PATH))
            wait_idle(page)  # the zoom's report reruns the fragment: not the next run's time
            time.sleep(0.5)
            zoom_sample, layer = measured(pid, lambda page=page: _zoom_round_trip(page))
            shown["partner_layer_after_zoom"] = layer
            if i > 0:
                interactive.append(sample)
                zooms.append(zoom_sample)
            print(
                f"[bench] app map run {i}: interactive {sample.wall_ms:.0f} ms "
                f"(server CPU {sample.cpu_ms:.0f} ms, RSS {sample.rss_mb} MB); zoom round trip "
                f"{zoom_sample.wall_ms:.0f} ms ({shown})",
                flush=True,
            )
        except Exception as exc:  # a timed-out run is reported, not hidden
            errors.append(f"run {i}: {type(exc).__name__}: {str(exc)[:300]}")
            print(f"[bench] app map run {i} failed: {errors[-1]}", flush=True)
        finally:
            page.context.close()
    return {
        "path": PATH,
        "interactive": summarise(interactive),
        "zoom_round_trip": summarise(zooms),
        "last_view": shown,
        "errors": errors,
    }
