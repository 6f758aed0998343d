"""Deep links to restricted pages in real Chromium, each the FIRST request of a fresh server.

On a fresh server Streamlit runs the first deep link in its legacy pages-folder mode: the page
file runs directly, app.py skipped (pages/parts/routing.py). These tests are the tripwire of
the workaround: the request must end up routed through app.py (its own sidebar menu shows,
Streamlit's list of pages/*.py never does), and the page's own access check must show no data.
Every check waits on a condition with Playwright's ``expect``; nothing sleeps.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlmodel import Session

from core.db import create_db_engine
from core.demo.accounts import create_demo_accounts
from core.models import Partner
from tests.conftest import copy_sqlite_database
from tests.e2e.conftest import (
    SCREENSHOTS_DIR,
    AppServer,
    poll_until,
    wait_for_script_idle,
)

pytestmark = pytest.mark.e2e
SIGN_IN_PROMPT = "Please sign in to continue"
SIGN_IN_LINK = re.compile(r"^(🔑\s*)?sign in$", re.I)  # app.py's menu entry, with its icon


@pytest.fixture
def demo_database(seeded_database_template: Path, tmp_path: Path) -> tuple[str, dict[str, str]]:
    """A copy of the seeded directory with the documented demo accounts in it."""
    path = tmp_path / "deep-links.sqlite"
    copy_sqlite_database(seeded_database_template, path)
    url = f"sqlite:///{path}"
    engine = create_db_engine(url)
    try:
        demo = {d.username: d for d in create_demo_accounts(engine=engine)}
        partner1 = demo["partner1"]
        with Session(engine) as session:
            partner = session.get(Partner, partner1.partner_id)
            assert partner is not None
            names = {"partner1": partner.name, "password": partner1.password}
    finally:
        engine.dispose()
    return url, names


def app_root(page: Page) -> Locator:
    return page.locator('[data-testid="stApp"]')


def expect_routed_through_app(page: Page) -> None:
    """app.py ran this request: its own menu is in the sidebar, and Streamlit's list of every
    pages/*.py file (the legacy mode's navigation, admin pages included) is not."""
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar.get_by_role("link", name=re.compile(r"find partners", re.I))).to_be_visible(
        timeout=30_000
    )
    expect(sidebar.get_by_role("link", name=SIGN_IN_LINK)).to_be_visible()
    expect(page.locator('[data-testid="stSidebarNav"]')).to_have_count(0)
    for admin_page in ("Accounts", "Approvals", "Audit trail", "Import & export"):
        expect(sidebar.get_by_role("link", name=re.compile(admin_page, re.I))).to_have_count(0)
    # The URL is the page's own, and no "Page not found" dialog sits over it.
    expect(page.get_by_role("dialog")).to_have_count(0)


def expect_sign_in_prompt_and_no_data(page: Page, names: dict[str, str]) -> None:
    expect(page.locator('[data-testid="stMain"]')).to_contain_text(SIGN_IN_PROMPT)
    wait_for_script_idle(page)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    # No data of any partner or account: no editor, no tables, no account names.
    app = app_root(page)
    expect(app).not_to_contain_text(names["partner1"])
    for username in ("partner1", "partner2", "cisco"):
        expect(app).not_to_contain_text(username)
    expect(page.locator('[data-testid="stDataFrame"]')).to_have_count(0)
    expect(page.get_by_label("Company name")).to_have_count(0)


@pytest.mark.parametrize(
    "path",
    [
        "my_profile",  # the partner editor
        "admin_accounts",  # account administration
        "admin_audit",
        "my_leads",
    ],
)
def test_first_request_deep_link_is_routed_through_the_app_and_shows_no_data(
    page: Page,
    start_app_server: Callable[..., AppServer],
    demo_database: tuple[str, dict[str, str]],
    path: str,
) -> None:
    url, names = demo_database
    server = start_app_server(database_url=url)
    page.goto(f"{server.url}/{path}")
    expect_routed_through_app(page)
    expect(page).to_have_url(re.compile(rf"/{path}$"))
    expect_sign_in_prompt_and_no_data(page, names)
    SCREENSHOTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS_DIR / f"e2e-deep-link-{path}.png", full_page=True)


def test_signing_in_through_the_form_shows_the_partner_its_own_profile(
    page: Page,
    start_app_server: Callable[..., AppServer],
    demo_database: tuple[str, dict[str, str]],
) -> None:
    url, names = demo_database
    server = start_app_server(database_url=url)
    page.goto(f"{server.url}/my_profile")
    expect_routed_through_app(page)
    expect_sign_in_prompt_and_no_data(page, names)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_role("link", name=SIGN_IN_LINK).click()
    username = page.get_by_label("Username")
    expect(username).to_be_visible()
    username.fill("partner1")
    page.get_by_label("Password", exact=True).fill(names["password"])
    page.get_by_role("button", name="Sign in").click()
    # The browser fetches its session cookie (/_atlas/session) and comes back: wait for that
    # reload, or the menu click below may land on the page that is being replaced.
    cookie = poll_until(
        lambda: [c for c in page.context.cookies() if c["name"] == "atlas_session"], bool
    )
    assert cookie, "no session cookie after signing in"
    # The menu's link asks for no other page: a partner lands where partners land.
    page.wait_for_url(re.compile(r"/my_standing$"))
    wait_for_script_idle(page)
    expect(sidebar).to_contain_text(re.compile(r"signed in as partner1", re.I), timeout=30_000)
    sidebar.get_by_role("link", name=re.compile(r"my profile", re.I)).click()
    company = page.get_by_label("Company name")
    expect(company).to_have_value(names["partner1"], timeout=30_000)
    expect(page).to_have_url(re.compile(r"/my_profile$"))
    wait_for_script_idle(page)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    SCREENSHOTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS_DIR / "e2e-signed-in-profile.png", full_page=True)


@pytest.mark.parametrize("path", ["partner_profile?id=5", "find_partners?near=78701"])
def test_a_deep_link_asks_the_server_for_nothing_that_is_not_there(
    page: Page, app_server: AppServer, path: str
) -> None:
    """Streamlit's browser code used to try /<page>/ as the server's base first: two 404s
    (/<page>/_stcore/health, /<page>/_stcore/host-config) in the console of every deep link."""
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{app_server.url}/{path}")
    expect(page.locator('[data-testid="stMain"] h1')).to_be_visible(timeout=30_000)
    wait_for_script_idle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert failed == []
    assert [e for e in errors if "404" in e or "Not Found" in e] == []
