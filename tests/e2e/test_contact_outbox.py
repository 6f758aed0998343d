"""A contact request from the browser writes its emails to the outbox at once — the partner's
notification and the customer's confirmation — and an administrator reads them on the Outbox
page (no SMTP server needed: without ATLAS_SMTP_URL messages wait there)."""

from __future__ import annotations

import re
import sqlite3

from playwright.sync_api import Page, expect

from tests.e2e.conftest import SCREENSHOTS_DIR, AppServer, wait_for_script_idle
from tests.e2e.signed_in import open_signed_in, settle
from tests.e2e.test_search_journey import database_path, open_and_settle

ADMIN_LOGIN = ("admin", "atlas-demo-admin")
CUSTOMER = "outbox.reader@example.com"


def outbox_of(server: AppServer) -> list[tuple[str, str, str]]:
    with sqlite3.connect(database_path(server)) as db:
        return db.execute(
            "SELECT kind, to_email, status FROM outbox_message WHERE lead_id IN "
            "(SELECT id FROM lead WHERE contact_email = ?) ORDER BY kind",
            (CUSTOMER,),
        ).fetchall()


def test_a_contact_request_puts_both_emails_in_the_outbox_for_the_admin(
    page: Page, app_server: AppServer
) -> None:
    open_and_settle(page, f"{app_server.url}/find_partners?needs=security")
    page.get_by_role("link", name=re.compile(r"^1\. ")).click()
    expect(page).to_have_url(re.compile(r"/partner_profile\?id=\d+$"))
    wait_for_script_idle(page)
    page.get_by_label("Your name").fill("Olive <b>Reader</b>")
    page.get_by_label("Email").fill(CUSTOMER)
    sizes = page.get_by_role("radiogroup", name="Company size")
    sizes.get_by_text("11–50 employees", exact=True).click()
    expect(sizes.get_by_role("radio", name="11–50 employees")).to_be_checked()
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_text("Your request was sent")).to_be_visible()

    kinds = outbox_of(app_server)
    assert [kind for kind, _to, _status in kinds] == ["contact_request", "customer_confirmation"]
    assert ("customer_confirmation", CUSTOMER, "pending") in kinds

    open_signed_in(page, app_server, 1400, ADMIN_LOGIN, "Outbox")
    expect(page.get_by_text("ATLAS_SMTP_URL is not set")).to_be_visible()
    # Newest first: the confirmation was written after the partner's notification.
    reader = page.get_by_role("combobox", name="Read message")
    expect(reader).to_have_value(re.compile("Your contact request on Partner Atlas"))
    settle(page)
    # The customer's name, as typed: text, not markup.
    expect(page.get_by_test_id("stCode")).to_contain_text("Olive <b>Reader</b>")
    SCREENSHOTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS_DIR / "e2e-outbox.png", full_page=True)
