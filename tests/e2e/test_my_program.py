"""My program in Chromium at 1400 px and 390 px: every scorecard column header in view.

The old benchmark table hid Revenue, ROI and Growth off to the right. The scorecard now
shows the pinned partner name and one group of figures at a time; for every group, at both
widths, the grid must not scroll sideways (every column is inside it) and the grid must lie
inside the viewport. Screenshots of each view go to the test's tmp directory.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import AppServer
from tests.e2e.signed_in import GRID_GEOMETRY, open_signed_in, settle

VENDOR_LOGIN = ("cisco", "atlas-demo-vendor")  # core.demo.accounts, documented in the README
GROUPS = {
    "Reporting": ["Partner", "Leads", "Reported", "Reply (h)"],
    "Wins": ["Partner", "Win rate", "Won", "ROI"],
    "Money": ["Partner", "Funds", "ROI", "Won"],
    "Business": ["Partner", "Revenue", "Growth", "Staff"],
    "Membership": ["Partner", "Tier", "Since", "Shares"],
}


def open_my_program(page: Page, server: AppServer, width: int) -> None:
    open_signed_in(page, server, width, VENDOR_LOGIN, "My program")


def scorecard(page: Page) -> Locator:
    heading = page.get_by_role("heading", name="Member scorecard")
    expect(heading).to_be_visible()
    # The first grid after the scorecard heading.
    return page.locator(
        "xpath=//h3[contains(., 'Member scorecard')]/following::*[@data-testid='stDataFrame'][1]"
    )


def full_screenshot(page: Page, path: Path, width: int) -> None:
    """Streamlit scrolls inside its main area: a viewport as tall as that area shows it all."""
    height = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": width, "height": min(int(height) + 40, 12_000)})
    page.wait_for_timeout(500)  # the grids redraw their canvases at the new size
    page.screenshot(path=path)
    page.set_viewport_size({"width": width, "height": 900})


@pytest.mark.parametrize("width", [1400, 390])
def test_every_scorecard_column_is_within_the_viewport(
    page: Page, app_server: AppServer, width: int, tmp_path: Path
) -> None:
    open_my_program(page, app_server, width)
    full_screenshot(page, tmp_path / f"my-program-results-{width}.png", width)
    for group, headers in GROUPS.items():
        page.get_by_test_id("stButtonGroup").get_by_role("radio", name=group).click()
        settle(page)
        grid = scorecard(page)
        grid.scroll_into_view_if_needed()
        expect(grid.locator("th").nth(1)).to_have_text(headers[1])
        shape = grid.evaluate(GRID_GEOMETRY)
        page.screenshot(path=tmp_path / f"my-program-scorecard-{group.lower()}-{width}.png")
        assert shape["headers"] == headers, group
        assert shape["scrollWidth"] <= shape["clientWidth"] + 1, (
            f"{group} at {width} px: columns run {shape['scrollWidth'] - shape['clientWidth']}"
            " px beyond the grid"
        )
        assert shape["left"] >= 0 and shape["right"] <= width, (group, width, shape)
    print(f"screenshots: {tmp_path}")  # shown with -s; kept by pytest's tmp_path retention
