"""My programs in real Chromium, on a desktop and a phone: the partner signs in through the
form, opens the page from the sidebar (a full reload would sign it out), and switches one
vendor's consent; the switch is stored and audited. Screenshots go to screenshots/."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, col, select

from core.db import create_db_engine
from core.models import PROGRAM_ACTIVE, Account, AuditEvent, FiguresConsent, ProgramMembership
from tests.e2e.conftest import SCREENSHOTS_DIR, AppServer, poll_until, wait_for_script_idle
from tests.e2e.signed_in import sign_in

pytestmark = pytest.mark.e2e
USERNAME, PASSWORD = "partner1", "atlas-demo-partner1"  # README's demo partner account


def first_active_vendor(database_url: str) -> tuple[int, str, bool]:
    """partner1's partner id, its first active program's vendor and that consent now."""
    engine = create_db_engine(database_url)
    try:
        with Session(engine) as session:
            account = session.exec(select(Account).where(Account.username == USERNAME)).one()
            assert account.partner_id is not None
            vendor = session.exec(
                select(ProgramMembership.vendor)
                .where(ProgramMembership.partner_id == account.partner_id)
                .where(ProgramMembership.status == PROGRAM_ACTIVE)
                .order_by(col(ProgramMembership.vendor))
            ).first()
            assert vendor, "the demo partner1 should be an active member of some program"
            row = session.get(FiguresConsent, (account.partner_id, vendor))
            return account.partner_id, vendor, bool(row and row.granted)
    finally:
        engine.dispose()


def consent_events(database_url: str, partner_id: int, vendor: str) -> list[tuple[str, str]]:
    engine = create_db_engine(database_url)
    try:
        with Session(engine) as session:
            return [
                (e.action, e.actor_label)
                for e in session.exec(
                    select(AuditEvent)
                    .where(AuditEvent.entity_type == "figures_consent")
                    .where(AuditEvent.entity_id == f"{partner_id}:{vendor}")
                )
            ]
    finally:
        engine.dispose()


def open_sidebar_on_a_phone(page: Page) -> None:
    expand = page.locator('[data-testid="stExpandSidebarButton"]')
    if expand.is_visible():
        expand.click()


def close_sidebar_on_a_phone(page: Page) -> None:
    collapse = page.locator('[data-testid="stSidebarCollapseButton"] button')
    if page.viewport_size and page.viewport_size["width"] < 700 and collapse.is_visible():
        collapse.click()


@pytest.mark.parametrize("width", [1400, 390])
def test_partner_opens_my_programs_and_switches_a_vendors_consent(
    page: Page, start_app_server: Callable[..., AppServer], width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 1600})
    server = start_app_server()
    partner_id, vendor, granted = first_active_vendor(server.database_url)

    sign_in(page, server, (USERNAME, PASSWORD))  # waits for the cookie hand-over's reload
    sidebar = page.locator('[data-testid="stSidebar"]')
    wait_for_script_idle(page)
    open_sidebar_on_a_phone(page)
    expect(sidebar).to_contain_text(re.compile(r"signed in as partner1", re.I), timeout=30_000)
    sidebar.get_by_role("link", name=re.compile(r"my programs", re.I)).click()
    main = page.locator('[data-testid="stMain"]')
    expect(main).to_contain_text("Apply to a program", timeout=30_000)
    expect(page).to_have_url(re.compile(r"/my_programs$"))
    close_sidebar_on_a_phone(page)
    expect(main.get_by_role("table").first).to_contain_text(vendor)
    SCREENSHOTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS_DIR / f"e2e-my-programs-{width}.png", full_page=True)

    page.get_by_role("tab", name="Sharing figures").click()
    switch = main.get_by_text(f"Let {vendor} see my revenue and headcount", exact=True)
    expect(switch).to_be_visible()
    switch.click()
    expected = f"{vendor} no longer sees" if granted else f"{vendor} may now see"
    alert = main.locator('[data-testid="stAlert"]').filter(has_text=expected)
    expect(alert).to_be_visible(timeout=30_000)
    wait_for_script_idle(page)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    page.screenshot(path=SCREENSHOTS_DIR / f"e2e-my-programs-consent-{width}.png", full_page=True)

    events = poll_until(
        lambda: consent_events(server.database_url, partner_id, vendor), lambda e: bool(e)
    )
    assert events[-1] == ("revoke" if granted else "grant", USERNAME)
