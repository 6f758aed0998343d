"""Browser helpers for the signed-in screens: sign in (the browser then fetches its session
cookie at /_atlas/session and reloads), open a page from the sidebar, and measure a data
grid's columns."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import AppServer, poll_until, wait_for_script_idle

COOKIE = "atlas_session"  # core.accounts.sessions.COOKIE_NAME

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


def sign_in(page: Page, server: AppServer, login: tuple[str, str], next_page: str = "") -> None:
    """Sign in through the form and wait until the browser holds its session cookie and the
    page it was sent back to has loaded."""
    query = f"?next={next_page}" if next_page else ""
    page.goto(f"{server.url}/sign_in{query}")
    page.get_by_label("Username").fill(login[0])
    page.get_by_label("Password", exact=True).fill(login[1])
    page.get_by_role("button", name="Sign in").click()
    cookies = poll_until(
        lambda: [c for c in page.context.cookies() if c["name"] == COOKIE], lambda c: bool(c)
    )
    assert cookies, "no session cookie after signing in"
    # Without a next page a partner lands on My standing, everyone else back on Sign in.
    landing = re.escape(next_page) if next_page else "(?:sign_in|my_standing)"
    page.wait_for_url(re.compile(rf"/{landing}$"))
    page.wait_for_load_state()
    settle(page)


def open_signed_in(
    page: Page, server: AppServer, width: int, login: tuple[str, str], link: str
) -> None:
    """Sign in as ``login`` at ``width`` px and open the sidebar link named ``link``; the
    page's heading must show and no exception."""
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, server, login)
    sidebar = page.get_by_test_id("stSidebar")
    narrow = width < 640  # Streamlit folds the sidebar away on narrow screens
    if narrow:
        page.get_by_test_id("stExpandSidebarButton").click()
    signed_in = re.compile(f"signed in as {re.escape(login[0])}", re.I)
    expect(sidebar).to_contain_text(signed_in, timeout=30_000)
    entry = sidebar.get_by_role("link", name=re.compile(re.escape(link)))
    expect(entry).to_be_in_viewport()  # the sidebar has finished sliding in
    entry.click(force=narrow)  # its header overlaps the links on a phone; they work
    settle(page)
    if narrow:  # the app folds the sidebar away after a link on a phone
        expect(sidebar).to_have_attribute("data-collapsed", "true")
    expect(page.get_by_role("heading", name=re.compile(re.escape(link)))).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
