"""On a phone (390 px) the sidebar folds away after a link in it is followed (issue 16 item 2).

Before, the sidebar stayed open over the new page until closed by hand: app.py's menu is made
of st.page_link entries, which Streamlit does not fold on narrow screens.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import SCREENSHOTS_DIR, AppServer, wait_for_script_idle
from tests.e2e.signed_in import settle

PHONE = {"width": 390, "height": 844}
# The element drawn at the middle of the heading: the heading itself, or what covers it.
TOP_ELEMENT_AT = """el => {
  const box = el.getBoundingClientRect();
  const top = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  return top !== null && (el === top || el.contains(top));
}"""


def open_sidebar(page: Page) -> None:
    page.get_by_test_id("stExpandSidebarButton").click()
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).to_have_attribute("data-collapsed", "false")
    expect(sidebar.get_by_role("link", name=re.compile("Find partners"))).to_be_in_viewport()


@pytest.mark.parametrize("link", ["Find partners", "Regional map", "Home"])
def test_following_a_sidebar_link_on_a_phone_folds_the_sidebar_away(
    page: Page, app_server: AppServer, link: str
) -> None:
    page.set_viewport_size(PHONE)
    page.goto(f"{app_server.url}/compare_partners")
    wait_for_script_idle(page)
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).to_have_attribute("data-collapsed", "true")  # Streamlit's start on a phone
    open_sidebar(page)
    # The sidebar's header overlaps its first links on a phone; the links work (force).
    sidebar.get_by_role("link", name=re.compile(link)).click(force=True)
    settle(page)
    heading = page.locator('[data-testid="stMain"] h1').first
    expect(heading).to_contain_text(link)
    expect(sidebar).to_have_attribute("data-collapsed", "true")
    expect(heading).to_be_in_viewport()
    assert heading.evaluate(TOP_ELEMENT_AT), f"something covers the {link} heading"
    SCREENSHOTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS_DIR / f"e2e-phone-after-{link.lower().replace(' ', '-')}.png")


def test_on_a_wide_screen_the_sidebar_stays_open_after_a_link(
    page: Page, app_server: AppServer
) -> None:
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{app_server.url}/compare_partners")
    wait_for_script_idle(page)
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).to_have_attribute("data-collapsed", "false")
    sidebar.get_by_role("link", name=re.compile("Find partners")).click()
    settle(page)
    expect(page.locator('[data-testid="stMain"] h1').first).to_contain_text("Find partners")
    expect(sidebar).to_have_attribute("data-collapsed", "false")
