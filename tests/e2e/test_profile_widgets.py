"""The profile page's contact form in Chromium: the area map must not disturb it (issue 16
item 11).

- An open dropdown closed once when the area map finished loading, when the map's first report
  reran the page. The map returns nothing (``returned_objects=[]``): it never reports.
- Esc in the company size box cleared a size already chosen; sizes are now radio buttons.
"""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, Route, expect

from tests.e2e.assets import OfflineAssets
from tests.e2e.conftest import AppServer, wait_for_script_idle

PROFILE = "/partner_profile?id=1"
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
LEAFLET = re.compile(r".*/leaflet(\.min)?\.js$")


def open_profile(page: Page, server: AppServer) -> None:
    page.goto(f"{server.url}{PROFILE}")
    expect(page.get_by_role("heading", name=re.compile("Ask .* to contact you"))).to_be_visible(
        timeout=30_000
    )
    wait_for_script_idle(page)


def test_a_dropdown_opened_before_the_area_map_loads_stays_open(
    page: Page, app_server: AppServer, require_map_assets: OfflineAssets
) -> None:
    # Leaflet is held back until the dropdown is open, so the map surely loads under it.
    held: list[Route] = []
    page.route(LEAFLET, lambda route: held.append(route))
    sent: list[int] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda frame: sent.append(len(frame))))
    open_profile(page, app_server)
    needs = page.get_by_role("combobox", name=re.compile("What you need"))
    # Scrolled first: Playwright's own scroll into view would close the dropdown it opens.
    needs.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    needs.click()
    option = page.get_by_role("option").first
    expect(option).to_be_visible()
    messages_before = len(sent)
    assert held, "Leaflet was not requested: the map is not on the page"
    for route in held:
        route.fallback()
    inside = page.frame_locator(MAP_IFRAME)
    expect(inside.locator(".leaflet-interactive").first).to_be_attached()
    page.wait_for_timeout(1500)  # longer than the map component's debounce before reporting
    expect(option).to_be_visible()
    assert len(sent) == messages_before, "the loaded map sent the server a report (a rerun)"


def choose_company_size(page: Page, label: str) -> Locator:
    """Click the size's label (Streamlit hides the radio input itself); return the radio."""
    group = page.get_by_role("radiogroup", name="Company size")
    group.get_by_text(label, exact=True).click()
    return group.get_by_role("radio", name=label)


def test_escape_keeps_the_chosen_company_size(page: Page, app_server: AppServer) -> None:
    open_profile(page, app_server)
    size = choose_company_size(page, "11–50 employees")
    expect(size).to_be_checked()
    page.keyboard.press("Escape")
    page.get_by_label("Your name").click()
    page.keyboard.press("Escape")
    wait_for_script_idle(page)
    expect(size).to_be_checked()
    page.get_by_label("Your name").fill("Jo Esc")
    page.get_by_label("Email").fill("jo.esc@example.com")
    page.get_by_role("button", name="Send request").click()
    # No need chosen, so the form is refused; the size, though, arrived with it.
    problems = page.get_by_test_id("stAlert").filter(has_text="Please check the form")
    expect(problems).to_be_visible()
    expect(problems).not_to_contain_text("Company size")
