"""In Chromium: a sign-in survives a reload and a second tab, lands on the page that asked,
its cookie is HttpOnly; signing out in one tab signs the other out at its next action."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import AppServer
from tests.e2e.signed_in import COOKIE, settle, sign_in

PARTNER = ("partner1", "atlas-demo-partner1")
SIGNED_IN = re.compile(r"signed in as partner1", re.I)


def sidebar(page: Page):  # type: ignore[no-untyped-def]
    return page.get_by_test_id("stSidebar")


def test_a_sign_in_survives_reloads_and_new_tabs_until_signed_out(
    page: Page, app_server: AppServer
) -> None:
    # A restricted page asks for a sign-in and is where the user lands afterwards.
    page.goto(f"{app_server.url}/my_leads")
    expect(page.get_by_text("This page is for signed-in users")).to_be_visible()
    sign_in(page, app_server, PARTNER, next_page="my_leads")
    expect(page.get_by_role("heading", name=re.compile("My leads"))).to_be_visible()
    expect(sidebar(page)).to_contain_text(SIGNED_IN)
    (cookie,) = [c for c in page.context.cookies() if c["name"] == COOKIE]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/"

    page.reload()
    settle(page)
    expect(sidebar(page)).to_contain_text(SIGNED_IN)
    expect(page.get_by_role("heading", name=re.compile("My leads"))).to_be_visible()

    other = page.context.new_page()
    other.goto(f"{app_server.url}/account")
    settle(other)
    expect(other.get_by_role("heading", name=re.compile("My account"))).to_be_visible()
    expect(sidebar(other)).to_contain_text(SIGNED_IN)

    other.get_by_role("button", name="Sign out", exact=True).first.click()
    settle(other)
    expect(sidebar(other)).not_to_contain_text(SIGNED_IN)

    # The first tab is signed out at its next action (here: a menu link).
    sidebar(page).get_by_role("link", name=re.compile("Find partners")).click()
    settle(page)
    expect(sidebar(page)).not_to_contain_text(SIGNED_IN)
    page.reload()  # and the old cookie buys nothing
    settle(page)
    expect(sidebar(page)).not_to_contain_text(SIGNED_IN)
