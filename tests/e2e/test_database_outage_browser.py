"""PostgreSQL stopped and started under `streamlit run deploy/serve.py` (issue 15 item 3), in
Chromium: search answers from the index with an "out of date" notice, a profile save says
nothing was saved (what was typed stays), no traceback anywhere; with PostgreSQL back the same
save goes through, with no restart of the app.

The server is the test's own (tests/integration/outage_postgres.py), never the shared one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.e2e.assets import OfflineAssets
from tests.e2e.conftest import (
    VIEWPORT,
    AppServer,
    dismiss_page_not_found_dialogs,
    launch_app_server,
    seed_database,
    wait_for_script_idle,
)
from tests.e2e.signed_in import settle, sign_in
from tests.integration.outage_postgres import OutagePostgres, outage_postgres

pytestmark = pytest.mark.postgres
PARTNER_LOGIN = ("partner1", "atlas-demo-partner1")  # core.demo.accounts, see the README
SEARCH = "/find_partners?needs=security"
TYPED = "Typed while PostgreSQL was stopped: kept, then saved."
RESULT_COUNT = '[class*="st-key-find_result_count"]'


@pytest.fixture
def outage(tmp_path: Path) -> Iterator[tuple[OutagePostgres, AppServer]]:
    with outage_postgres() as server:
        seed_database(server.database_url)  # demo partners and accounts, as `make run` does
        app = launch_app_server(server.database_url, tmp_path / "logs")
        try:
            yield server, app
        finally:
            app.stop()
            if not server.running:
                server.start()  # so the teardown above and below ends cleanly


def _no_traceback(page: Page) -> None:
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(
        page.get_by_text(re.compile("Traceback|OperationalError|127\\.0\\.0\\.1"))
    ).to_have_count(0)


def _stored_description(server: OutagePostgres) -> str:
    engine = create_engine(server.database_url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return str(
                conn.execute(
                    text(
                        "SELECT p.description FROM partner p JOIN account a "
                        "ON a.partner_id = p.id WHERE a.username = :name"
                    ),
                    {"name": PARTNER_LOGIN[0]},
                ).scalar_one()
            )
    finally:
        engine.dispose()


def test_search_and_a_profile_save_through_a_postgres_outage(
    browser: Browser,
    offline_assets: OfflineAssets,
    outage: tuple[OutagePostgres, AppServer],
) -> None:
    server, app = outage
    context = browser.new_context(viewport=VIEWPORT)
    context.route("**/*", offline_assets.handle_route)
    try:
        profile = context.new_page()
        dismiss_page_not_found_dialogs(profile)
        sign_in(profile, app, PARTNER_LOGIN, next_page="my_profile")
        search = context.new_page()
        dismiss_page_not_found_dialogs(search)
        search.goto(f"{app.url}{SEARCH}")  # the process builds its index while PostgreSQL is up
        expect(search.locator(RESULT_COUNT)).to_contain_text("match")

        description = profile.get_by_label("Description")
        description.fill(TYPED)
        server.stop()
        profile.get_by_role("button", name="Save profile").click()
        settle(profile)
        expect(profile.get_by_text(re.compile("nothing was saved"))).to_be_visible()
        _no_traceback(profile)

        search.goto(f"{app.url}{SEARCH}&near=10001")  # a new search, answered from the index
        wait_for_script_idle(search)
        expect(search.locator(RESULT_COUNT)).to_contain_text("match")
        expect(search.get_by_text(re.compile("may be out of date"))).to_be_visible()
        sidebar = search.get_by_test_id("stSidebar")
        expect(sidebar).to_contain_text("Sign-in is temporarily unavailable")
        _no_traceback(search)

        server.start()  # the same app process, no restart
        profile.get_by_role("button", name="Try again").click()
        settle(profile)
        expect(description).to_have_value(TYPED)  # what was typed is still in the form
        profile.get_by_role("button", name="Save profile").click()
        settle(profile)
        expect(profile.get_by_text(re.compile(r"^Saved"))).to_be_visible()
        assert _stored_description(server) == TYPED

        search.reload()
        wait_for_script_idle(search)
        expect(search.locator(RESULT_COUNT)).to_contain_text("match")
        expect(search.get_by_text(re.compile("may be out of date"))).to_have_count(0)
        expect(search.get_by_test_id("stSidebar")).to_contain_text("Signed in as partner1")
    finally:
        context.close()
