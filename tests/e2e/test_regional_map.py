"""The regional map in a real Chromium: markers, choropleth, clicks and hostile partner names.

The map's JavaScript and CSS come from the offline npm copies (the `page` fixture routes CDN
requests to them), so these tests run without internet like the rest of the suite.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import FrameLocator, Page, expect
from sqlmodel import Session

from core.db import create_db_engine
from tests.conftest import copy_sqlite_database
from tests.e2e.assets import OfflineAssets
from tests.e2e.conftest import (
    SCREENSHOTS_DIR,
    AppServer,
    dismiss_page_not_found_dialogs,
    launch_app_server,
    poll_until,
    wait_for_script_idle,
)
from tests.public_directory import add_partner

MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
MARKER = "keyword-zzmap"  # in every test partner's description: the map's search finds them
HOSTILE = {
    "59101": "<img src=x onerror=alert(1)>",
    "59102": "`${alert(1)}`",
    "59106": "</script><script>alert(1)</script>",
    "59107": "Ends in \\",
}
SEARCH = f"/regional_map?q={MARKER}&near=59101&radius=25"


@pytest.fixture(scope="module")
def map_server(
    seeded_database_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AppServer]:
    """The demo directory plus four partners with hostile names around Billings, MT."""
    workdir = tmp_path_factory.mktemp("e2e-map")
    database = workdir / "map.sqlite"
    copy_sqlite_database(seeded_database_template, database)
    engine = create_db_engine(f"sqlite:///{database}")
    try:
        with Session(engine) as session:
            for zip_code, name in HOSTILE.items():
                add_partner(
                    session,
                    name=name,
                    zips=(zip_code,),
                    levels={"security": 2, "cloud": 3},
                    description=f"Test partner {MARKER}",
                    radius_km=30,
                )
            session.commit()
    finally:
        engine.dispose()
    server = launch_app_server(f"sqlite:///{database}", workdir / "logs")
    try:
        yield server
    finally:
        server.stop()


def open_map(page: Page, url: str) -> FrameLocator:
    # A fresh server's first deep link may show "Page not found" over the right page.
    dismiss_page_not_found_dialogs(page)
    page.goto(url)
    wait_for_script_idle(page)
    expect(page.locator(MAP_IFRAME)).to_be_visible()
    inside = page.frame_locator(MAP_IFRAME)
    expect(inside.locator(".leaflet-container")).to_be_visible()
    return inside


def count_map_layers(inside: FrameLocator, layer_test: str) -> int:
    """How many of the map's Leaflet layers pass `layer_test` (a JS expression on `l`).

    Evaluated through a locator, so a map iframe that a rerun drew anew is found again.
    """
    return int(
        inside.locator(".leaflet-container").evaluate(
            f"() => Object.values(window.map._layers).filter(l => {layer_test}).length"
        )
    )


def poll_map_layers(inside: FrameLocator, layer_test: str, enough: int) -> int:
    """The count of `count_map_layers` once it reaches `enough` (or at the deadline).

    The container shows before Leaflet has added every layer, so one count could come early.
    """
    return poll_until(lambda: count_map_layers(inside, layer_test), lambda n: n >= enough)


def test_map_renders_markers_and_the_state_choropleth(
    page: Page, map_server: AppServer, require_map_assets: OfflineAssets
) -> None:
    inside = open_map(page, f"{map_server.url}/regional_map?needs=security")
    expect(inside.locator(".marker-cluster, .pa-pin").first).to_be_visible()
    expect(inside.locator(".pa-legend")).to_contain_text("Partners matching the search")
    # The states are drawn on a canvas: count the GeoJSON features Leaflet holds.
    states = poll_map_layers(inside, "l.feature && l.feature.id", enough=51)
    assert states == 51
    SCREENSHOTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS_DIR / "e2e-regional-map.png", full_page=True)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def test_clicking_a_marker_selects_the_partner_and_draws_its_service_area(
    page: Page, map_server: AppServer, require_map_assets: OfflineAssets
) -> None:
    inside = open_map(page, f"{map_server.url}{SEARCH}")
    pins = inside.locator(".pa-pin")
    expect(pins).to_have_count(len(HOSTILE))
    pins.first.click()
    profile = page.get_by_role("link", name="Open profile")
    expect(profile).to_be_visible()
    expect(profile).to_have_attribute("href", re.compile(r"partner_profile\?id=\d+$"))
    # The marker's own popup fades out while the selection layer opens the same one again.
    popup = inside.locator(".leaflet-popup-content").last
    expect(popup).to_contain_text("Open profile")
    # The service radius (30 km) is drawn as a circle around the selected partner.
    circles = poll_map_layers(inside, "l._mRadius === 30000", enough=1)
    assert circles >= 1


def test_hostile_names_show_as_text_and_open_no_dialog(
    page: Page, map_server: AppServer, require_map_assets: OfflineAssets
) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    inside = open_map(page, f"{map_server.url}{SEARCH}")
    pins = inside.locator(".pa-pin")
    expect(pins).to_have_count(len(HOSTILE))
    popup = inside.locator(".leaflet-popup-content strong")
    shown: set[str] = set()
    for i in range(len(HOSTILE)):
        pins.nth(i).click()
        # The popup of the pin clicked before may still be showing (it fades out): wait for
        # this pin's own, which must name a hostile partner not shown yet, then for it alone.
        unseen = [n for n in HOSTILE.values() if n not in shown]
        exactly_one_of = re.compile("^(" + "|".join(re.escape(n) for n in unseen) + ")$")
        expect(
            popup.filter(has_text=exactly_one_of),
            f"pin {i} opened no popup naming one of the partners not shown yet: {unseen}",
        ).to_have_count(1)
        expect(popup).to_have_count(1)
        name = popup.inner_text()
        shown.add(name)
        # The side panel names the selected partner as plain text as well.
        expect(page.get_by_text(name, exact=True).first).to_be_visible()
    assert shown == set(HOSTILE.values())
    pins.first.hover()
    expect(inside.locator(".leaflet-tooltip").first).to_have_text(
        re.compile("|".join(re.escape(n) for n in HOSTILE.values()))
    )
    assert dialogs == []
    expect(inside.locator('img[src="x"]')).to_have_count(0)
    expect(page.locator('img[src="x"]')).to_have_count(0)
    SCREENSHOTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS_DIR / "e2e-regional-map-hostile.png", full_page=True)


# Florida's coast and cities: all must stay visible at the map's default (country-wide) view.
FLORIDA = {
    "Jacksonville": (30.33, -81.66),
    "Orlando": (28.54, -81.38),
    "Tampa": (27.95, -82.46),
    "Miami": (25.76, -80.19),
    "Key West": (24.56, -81.78),
}
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 900}

COVERED_BY_LEGEND = """(container, points) => {
    const box = container.getBoundingClientRect();
    const legend = container.querySelector(".pa-legend").getBoundingClientRect();
    const margin = 6;  // a dot drawn right at the legend's edge still counts as covered
    const covered = [], outside = [];
    for (const [name, latlng] of Object.entries(points)) {
        const p = window.map.latLngToContainerPoint(latlng);
        const x = box.left + p.x, y = box.top + p.y;
        if (p.x < 0 || p.y < 0 || p.x > box.width || p.y > box.height) { outside.push(name); }
        if (x >= legend.left - margin && x <= legend.right + margin
            && y >= legend.top - margin && y <= legend.bottom + margin) { covered.push(name); }
    }
    return {covered, outside};
}"""


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1400px", "390px"])
def test_the_legend_leaves_florida_visible_at_the_default_view(
    page: Page,
    map_server: AppServer,
    require_map_assets: OfflineAssets,
    viewport: dict[str, int],
) -> None:
    page.set_viewport_size(viewport)
    inside = open_map(page, f"{map_server.url}/regional_map")
    legend = inside.locator(".pa-legend")
    expect(legend).to_be_visible()
    container = inside.locator(".leaflet-container")
    # The default view is fitted to the continental US once Leaflet has sized the map.
    poll_until(lambda: container.evaluate("() => window.map.getZoom()"), lambda z: z >= 3)
    result = container.evaluate(COVERED_BY_LEGEND, FLORIDA)
    assert result["outside"] == [], f"off the map at the default view: {result['outside']}"
    assert result["covered"] == [], f"the legend covers {result['covered']}"
    SCREENSHOTS_DIR.mkdir(exist_ok=True)
    container.scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS_DIR / f"e2e-regional-map-legend-{viewport['width']}.png")


# The attribution and the scale bar, both at the bottom of the map, as boxes.
BOTTOM_CONTROLS = """el => {
  const box = sel => { const r = el.querySelector(sel).getBoundingClientRect();
                       return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
  return {attribution: box('.leaflet-control-attribution'), scale: box('.leaflet-control-scale'),
          text: el.querySelector('.leaflet-control-attribution').innerText};
}"""


@pytest.mark.parametrize("width", [1400, 390])
def test_the_search_radius_is_drawn_and_the_attribution_leaves_the_scale_readable(
    page: Page, map_server: AppServer, require_map_assets: OfflineAssets, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    inside = open_map(page, f"{map_server.url}{SEARCH}")
    # The dashed search radius around the searched place (an SVG path Leaflet draws).
    expect(inside.locator("path.pa-search-radius")).to_have_count(1)
    expect(inside.locator("path.pa-search-place")).to_have_count(1)
    container = inside.locator(".leaflet-container")
    boxes = container.evaluate(BOTTOM_CONTROLS)
    a, s = boxes["attribution"], boxes["scale"]
    overlap = a["left"] < s["right"] and s["left"] < a["right"] and a["top"] < s["bottom"]
    assert not overlap, f"the attribution covers the scale at {width} px: {boxes}"
    assert "OpenStreetMap" in boxes["text"]  # the tile licence's attribution stays
    SCREENSHOTS_DIR.mkdir(exist_ok=True)
    container.scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS_DIR / f"e2e-regional-map-radius-{width}.png")
