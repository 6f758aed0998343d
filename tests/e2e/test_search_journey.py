"""The SMB owner's journey in a real browser: search, profile, contact; shared links; deep links."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, expect

from pages.parts.contact import HONEYPOT_LABEL
from tests.e2e.assets import OfflineAssets
from tests.e2e.conftest import (
    SCREENSHOTS_DIR,
    VIEWPORT,
    AppServer,
    dismiss_page_not_found_dialogs,
    page_not_found_dialog,
    wait_for_script_idle,
)

RESULT_COUNT = ".st-key-find_result_count"


def database_path(server: AppServer) -> str:
    return server.database_url.removeprefix("sqlite:///")


def leads_of(server: AppServer, partner_id: int) -> list[tuple[str, str]]:
    with sqlite3.connect(database_path(server)) as db:
        return db.execute(
            "SELECT contact_name, status FROM lead WHERE partner_id = ? AND contact_email = ?",
            (partner_id, "jo.journey@example.com"),
        ).fetchall()


def assert_no_exception(page: Page) -> None:
    errors = page.locator('[data-testid="stException"]').all_inner_texts()
    assert errors == [], f"the page shows an exception: {errors[0][:2000]}"


def open_and_settle(page: Page, url: str) -> None:
    # The first deep link a fresh server sees may show this dialog over a correct page (see
    # test_a_fresh_server_shows_no_page_not_found_dialog); close it so the test can go on.
    dismiss_page_not_found_dialogs(page)
    page.goto(url)
    wait_for_script_idle(page)


def test_search_then_profile_then_contact_request(page: Page, app_server: AppServer) -> None:
    open_and_settle(page, f"{app_server.url}/find_partners?needs=security")
    expect(page.locator(RESULT_COUNT)).to_contain_text("match")
    SCREENSHOTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS_DIR / "e2e-find.png")
    first = page.get_by_role("link", name=re.compile(r"^1\. "))
    expect(first).to_be_visible()
    first.click()

    expect(page).to_have_url(re.compile(r"/partner_profile\?id=\d+$"))
    partner_id = int(page.url.rsplit("=", 1)[1])
    wait_for_script_idle(page)
    expect(page.get_by_text("Competencies: claimed and certified")).to_be_visible()
    # The honeypot is in the form, and out of a person's sight and reach.
    expect(page.get_by_label(HONEYPOT_LABEL)).to_be_attached()
    expect(page.get_by_label(HONEYPOT_LABEL)).to_be_hidden()
    page.get_by_label("Your name").fill("Jo Journey")
    page.get_by_label("Email").fill("jo.journey@example.com")
    sizes = page.get_by_role("radiogroup", name="Company size")
    sizes.get_by_text("11–50 employees", exact=True).click()
    expect(sizes.get_by_role("radio", name="11–50 employees")).to_be_checked()
    page.get_by_label("Message (optional)").fill("We need help with <b>security</b>.")
    page.get_by_role("button", name="Send request").click()

    expect(page.get_by_text("Your request was sent")).to_be_visible()
    expect(page.get_by_text("We need help with <b>security</b>.")).to_be_visible()
    page.screenshot(path=SCREENSHOTS_DIR / "e2e-contact-sent.png")
    assert_no_exception(page)
    assert leads_of(app_server, partner_id) == [("Jo Journey", "new")]


def test_a_copied_search_url_restores_the_search(
    page: Page, app_server: AppServer, browser: Browser, offline_assets: OfflineAssets
) -> None:
    open_and_settle(page, f"{app_server.url}/find_partners")
    page.get_by_text("Cloud", exact=True).click()
    expect(page).to_have_url(re.compile(r"needs=cloud"))
    near = page.get_by_role("textbox", name="Near (ZIP code or City, ST)")
    near.fill("Chicago, IL")
    near.press("Enter")
    expect(page).to_have_url(re.compile(r"near=Chicago"))
    wait_for_script_idle(page)
    expect(page.locator(RESULT_COUNT)).to_contain_text("match")
    count = page.locator(RESULT_COUNT).inner_text()
    copied = page.url

    # Another visitor (a fresh browser context, so a fresh session) opens the copied link.
    context = browser.new_context(viewport=VIEWPORT)
    context.route("**/*", offline_assets.handle_route)
    try:
        other = context.new_page()
        open_and_settle(other, copied)
        expect(other.locator(RESULT_COUNT)).to_have_text(count)
        expect(other.get_by_role("textbox", name="Near (ZIP code or City, ST)")).to_have_value(
            "Chicago, IL"
        )
        expect(other.get_by_role("checkbox", name="Cloud")).to_be_checked()
        assert_no_exception(other)
    finally:
        context.close()


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/partner_profile?id=1", "Competencies: claimed and certified"),
        ("/find_partners?needs=security,cloud&near=10001&radius=100", "match"),
        ("/compare_partners?ids=1,2", "Evidence and reach"),
    ],
)
def test_a_deep_link_opened_first_on_a_fresh_server_renders(
    page: Page, start_app_server: Callable[..., AppServer], path: str, expected: str
) -> None:
    server = start_app_server()
    open_and_settle(page, f"{server.url}{path}")
    expect(page.locator('[data-testid="stMain"]')).to_contain_text(expected)
    # Routed through app.py's st.navigation: its own menu, not the legacy list of pages/*.py.
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar.get_by_role("link", name="Find partners")).to_be_visible()
    expect(page.locator('[data-testid="stSidebarNav"]')).to_have_count(0)
    assert_no_exception(page)


def test_a_fresh_server_shows_no_page_not_found_dialog(
    page: Page, start_app_server: Callable[..., AppServer]
) -> None:
    server = start_app_server()
    page.goto(f"{server.url}/find_partners?needs=security")
    wait_for_script_idle(page)
    expect(page.locator(RESULT_COUNT)).to_contain_text("match")
    # The dialog would come with the server's first answer, before the results, and nothing
    # here closes it: with the results showing, it would be showing too.
    expect(page_not_found_dialog(page)).to_have_count(0)
