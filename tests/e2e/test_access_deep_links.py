"""Deep links to restricted pages in real Chromium, each the FIRST request of a fresh server.

On a fresh server Streamlit may run a page file directly (pages-folder mode, app.py
skipped), so the access check at the top of every page is what protects the data.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from core.db import create_db_engine
from core.demo.accounts import create_demo_accounts
from core.models import Partner
from tests.e2e.conftest import (
    SCREENSHOTS_DIR,
    AppServer,
    copy_sqlite_database,
    wait_for_script_idle,
)

pytestmark = pytest.mark.e2e
SIGN_IN_PROMPT = "Please sign in to continue"


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


def body_text(page: Page) -> str:
    return page.locator('[data-testid="stApp"]').inner_text()


def close_page_not_found(page: Page) -> None:
    """app.py answers an unknown URL with a "Page not found" dialog over the home page."""
    dialog = page.get_by_role("dialog")
    if dialog.count():
        page.keyboard.press("Escape")
        expect(dialog).to_have_count(0)


def assert_no_exception(page: Page) -> None:
    errors = page.locator('[data-testid="stException"]').all_inner_texts()
    assert errors == [], errors[0][:2000] if errors else ""


@pytest.mark.parametrize(
    "path",
    [
        "my_profile",  # the partner editor
        "admin_accounts",  # account administration
        "admin_audit",
        "my_leads",
    ],
)
def test_first_request_deep_link_shows_no_data_to_an_anonymous_visitor(
    page: Page,
    start_app_server: Callable[..., AppServer],
    demo_database: tuple[str, dict[str, str]],
    path: str,
) -> None:
    url, names = demo_database
    server = start_app_server(database_url=url)
    page.goto(f"{server.url}/{path}")
    wait_for_script_idle(page)
    # Whichever script ran (the page itself, or app.py routing), it shows a page title.
    expect(page.locator("h1").first).to_be_visible(timeout=30_000)
    SCREENSHOTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS_DIR / f"e2e-deep-link-{path}.png", full_page=True)
    assert_no_exception(page)
    text = body_text(page)
    # No data of any partner or account: no editor, no tables, no account names.
    assert names["partner1"] not in text
    assert page.locator('[data-testid="stDataFrame"]').count() == 0
    assert page.get_by_label("Company name").count() == 0
    for username in ("partner1", "partner2", "cisco"):
        assert username not in text
    # Either the page itself refused (sign-in prompt) or the navigation did not offer it.
    assert SIGN_IN_PROMPT in text or page.get_by_role("link", name="Sign in").count() > 0


def test_signing_in_through_the_form_shows_the_partner_its_own_profile(
    page: Page,
    start_app_server: Callable[..., AppServer],
    demo_database: tuple[str, dict[str, str]],
) -> None:
    url, names = demo_database
    server = start_app_server(database_url=url)
    page.goto(f"{server.url}/my_profile")
    wait_for_script_idle(page)
    assert names["partner1"] not in body_text(page)
    close_page_not_found(page)
    # Navigation mode offers "Sign in" in the sidebar; pages-folder mode also in the prompt.
    page.get_by_role("link", name=re.compile(r"^(🔑\s*)?sign in$", re.I)).first.click()
    wait_for_script_idle(page)
    page.get_by_label("Username").fill("partner1")
    page.get_by_label("Password", exact=True).fill(names["password"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator('[data-testid="stApp"]')).to_contain_text(
        re.compile(r"signed in as", re.I), timeout=30_000
    )
    page.locator('[data-testid="stSidebar"]').get_by_role(
        "link", name=re.compile(r"my profile", re.I)
    ).click()
    wait_for_script_idle(page)
    company = page.get_by_label("Company name")
    expect(company).to_have_value(names["partner1"], timeout=30_000)
    SCREENSHOTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS_DIR / "e2e-signed-in-profile.png", full_page=True)
    assert_no_exception(page)
