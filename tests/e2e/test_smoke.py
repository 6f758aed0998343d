"""Smoke tests in a real browser: the app comes up, and folium maps render offline."""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import folium
import pytest
from folium.plugins import MarkerCluster
from playwright.sync_api import Page, expect

from tests.e2e.assets import OfflineAssets
from tests.e2e.conftest import SCREENSHOTS_DIR, AppServer, wait_for_script_idle

pytestmark = pytest.mark.e2e


def test_home_page_renders_without_exceptions(page: Page, app_server: AppServer) -> None:
    page.goto(app_server.url)
    wait_for_script_idle(page)
    # Taken before any assertion so that a failure leaves a picture of what went wrong.
    SCREENSHOTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS_DIR / "e2e-home.png", full_page=True)
    # The exception's own text makes a far better failure message than a count.
    errors = page.locator('[data-testid="stException"]').all_inner_texts()
    assert errors == [], f"the home page shows an exception: {errors[0][:2000]}"
    # The contract is the page title ("Home · Partner Atlas" from set_page_config), which
    # every page sets; the visible heading is the home page's own business.
    expect(page).to_have_title(re.compile("Partner Atlas"))


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass  # request lines would clutter the test output


@contextmanager
def _serve_directory(directory: Path) -> Iterator[str]:
    """Serve `directory` over HTTP on a free loopback port; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_folium_map_renders_from_offline_assets(
    page: Page, require_map_assets: OfflineAssets, tmp_path: Path
) -> None:
    """The asset routing alone (no app): a plain folium page must draw its map and marker."""
    fmap = folium.Map(location=[39.8, -98.6], zoom_start=4)
    cluster = MarkerCluster().add_to(fmap)
    folium.Marker([30.27, -97.74], tooltip="Austin, TX").add_to(cluster)
    fmap.save(str(tmp_path / "map.html"))

    with _serve_directory(tmp_path) as base_url:
        page.goto(f"{base_url}/map.html")
        expect(page.locator(".leaflet-container")).to_be_visible()
        # One marker in a cluster shows as a plain marker icon; several would form a cluster.
        expect(page.locator(".marker-cluster, .leaflet-marker-icon").first).to_be_visible()
        assert page.evaluate("typeof L.markerClusterGroup") == "function"
        assert page.evaluate("typeof jQuery") == "function"
