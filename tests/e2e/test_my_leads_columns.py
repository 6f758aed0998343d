"""My leads in Chromium at 1400 px and 390 px: every column of the leads table in view.

The old inbox table had ten columns and cut Status, Value and Source off at 1400 px. The
table now shows a few narrow columns beside the pinned contact name (the rest is in the
lead's detail view); at both widths the grid must not scroll sideways and every header must
lie inside the viewport. Screenshots go to the test's tmp directory.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import AppServer
from tests.e2e.signed_in import GRID_GEOMETRY, open_signed_in

PARTNER_LOGIN = ("partner1", "atlas-demo-partner1")  # core.demo.accounts, see the README
HEADERS = ["Contact", "Status", "Value $", "Received"]


def open_my_leads(page: Page, server: AppServer, width: int) -> None:
    open_signed_in(page, server, width, PARTNER_LOGIN, "My leads")


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
