"""The compare picker on Find partners, in a real browser: partners picked one by one all stay.

Issue 16: a key-less multiselect fed its own last value as ``default=`` lost every second pick.
"""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import (
    SCREENSHOTS_DIR,
    AppServer,
    dismiss_page_not_found_dialogs,
    wait_for_script_idle,
)

PICKER_LABEL = "Compare partners side by side"


def picker(page: Page) -> Locator:
    return page.locator('[data-testid="stMultiSelect"]').filter(has_text=PICKER_LABEL)


def chips(page: Page) -> Locator:
    return picker(page).locator("[data-tag]")


def pick_next(page: Page, already: int) -> str:
    """Open the picker, pick the first partner offered (not "Select all"), let it rerun."""
    picker(page).locator("input").click()
    if not page.get_by_role("option").count():
        page.keyboard.press("ArrowDown")
    option = page.get_by_role("option").filter(has_not_text="Select all").first
    name = option.inner_text().strip()
    option.click()
    page.keyboard.press("Escape")  # close the list, as a visitor clicking elsewhere would
    wait_for_script_idle(page)
    expect(chips(page)).to_have_count(already + 1)
    return name


def test_partners_picked_one_by_one_all_stay_picked(page: Page, app_server: AppServer) -> None:
    dismiss_page_not_found_dialogs(page)
    page.goto(f"{app_server.url}/find_partners?needs=security")
    wait_for_script_idle(page)
    expect(picker(page)).to_be_visible()
    picked = [pick_next(page, already) for already in range(4)]
    page.wait_for_timeout(1_000)  # any late rerun would drop a chip here
    wait_for_script_idle(page)
    expect(chips(page)).to_have_text(picked)
    expect(page.get_by_role("link", name="Compare 4 partners")).to_be_visible()
    SCREENSHOTS_DIR.mkdir(exist_ok=True)
    picker(page).scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS_DIR / "find_compare_picker_four.png"))
