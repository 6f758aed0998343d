"""My leads in Chromium at 1400 px and 390 px: every column of the leads table in view.

The old inbox table had ten columns and cut Status, Value and Source off at 1400 px. The
table now shows a few narrow columns beside the pinned contact name (the rest is in the
lead's detail view); at both widths the grid must not scroll sideways and every header must
lie inside the viewport. Screenshots go to the test's tmp directory.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import AppServer, wait_for_script_idle

PARTNER_LOGIN = ("partner1", "atlas-demo-partner1")  # core.demo.accounts, see the README
HEADERS = ["Contact", "Status", "Value $", "Received"]
# The grid draws on a canvas; its accessible table names the headers it draws, its
# scroller tells whether any column lies beyond the visible width.
GRID_GEOMETRY = """el => {
  const scroller = el.querySelector('.dvn-scroller');
  const box = el.getBoundingClientRect();
  return {
    headers: [...el.querySelectorAll('th')].map(th => th.textContent.trim()),
    left: box.left, right: box.right,
    scrollWidth: scroller.scrollWidth, clientWidth: scroller.clientWidth,
  };
}"""


def settle(page: Page) -> None:
    page.wait_for_timeout(300)  # let a click's rerun begin before waiting for its end
    wait_for_script_idle(page)


def open_my_leads(page: Page, server: AppServer, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{server.url}/sign_in")
    page.get_by_label("Username").fill(PARTNER_LOGIN[0])
    page.get_by_label("Password", exact=True).fill(PARTNER_LOGIN[1])
    page.get_by_role("button", name="Sign in").click()
    settle(page)
    sidebar = page.get_by_test_id("stSidebar")
    narrow = width < 640  # Streamlit folds the sidebar away on narrow screens
    if narrow:
        page.get_by_test_id("stExpandSidebarButton").click()
    expect(sidebar).to_contain_text(re.compile("signed in as partner1", re.I), timeout=30_000)
    # A link, not page.goto: a full page load starts a new session (signed out).
    link = sidebar.get_by_role("link", name=re.compile("My leads"))
    expect(link).to_be_in_viewport()  # the sidebar has finished sliding in
    link.click(force=narrow)  # its header overlaps the links on a phone; they work
    settle(page)
    if narrow:
        page.get_by_test_id("stSidebarCollapseButton").locator("button").click(force=True)
    expect(page.get_by_role("heading", name=re.compile("My leads"))).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)


@pytest.mark.parametrize("width", [1400, 390])
def test_every_leads_column_is_within_the_viewport(
    page: Page, app_server: AppServer, width: int, tmp_path: Path
) -> None:
    open_my_leads(page, app_server, width)
    grid = page.get_by_test_id("stDataFrame").first  # the leads table comes first
    grid.scroll_into_view_if_needed()
    expect(grid.locator("th").first).to_be_attached()
    page.wait_for_timeout(500)  # the canvas settles its column widths
    page.screenshot(path=tmp_path / f"my-leads-{width}.png")
    shape = grid.evaluate(GRID_GEOMETRY)
    # The canvas grid lists only the columns it draws in view: all of them, in order.
    assert shape["headers"] == HEADERS, f"at {width} px: {shape['headers']}"
    assert shape["scrollWidth"] <= shape["clientWidth"] + 1, (
        f"at {width} px the columns run {shape['scrollWidth'] - shape['clientWidth']} px"
        f" beyond the grid: {shape['headers']}"
    )
    assert shape["left"] >= 0 and shape["right"] <= width, (width, shape)
    print(f"screenshots: {tmp_path}")  # shown with -s; kept by pytest's tmp_path retention
