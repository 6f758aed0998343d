"""Build a team in a real Chromium: teams render, "Contact this team" sends linked leads.

Houston (77002) in the seeded 300-partner directory: no single partner covers security,
cloud, storage & backup and print services, a few partners together do.
"""

from __future__ import annotations

import re
import sqlite3
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import (
    SCREENSHOTS_DIR,
    AppServer,
    dismiss_page_not_found_dialogs,
    wait_for_script_idle,
)

NEEDS = "security,cloud,storage_backup,print_services"
TEAMS_URL = f"/team_builder?needs={NEEDS}&near=77002"
HEADLINE = re.compile(r"(A team of \d partners|One partner) covers all")


def team_leads(server: AppServer) -> list[tuple[int, str]]:
    path = server.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        return db.execute(
            "SELECT partner_id, team_key FROM lead WHERE source = 'team' ORDER BY id"
        ).fetchall()


def open_teams(page: Page, server: AppServer) -> None:
    # A fresh server may answer its very first deep link with a "Page not found" dialog over
    # the right page (see test_search_journey); it is closed whenever it is in the way.
    dismiss_page_not_found_dialogs(page)
    page.goto(server.url + TEAMS_URL)
    wait_for_script_idle(page)
    expect(page.get_by_role("heading", name=HEADLINE)).to_be_visible()


def member_links(team: Locator) -> Locator:
    return team.locator("a[href*='partner_profile?id=']")


def rendered_team_size(team: Locator) -> int:
    """The team's size once all its member links are on the page.

    Streamlit draws the members one element at a time, so `count()` as soon as the first link
    shows may come too early; the card's header ("Best team · 3 partners · score 87") names the
    size first, and the links are then expected to reach it.
    """
    header = team.get_by_text(re.compile(r"^(Best team|Alternative \d+) · \d+ partners? · "))
    expect(header).to_be_visible()
    match = re.search(r" · (\d+) partners? · ", header.inner_text())
    assert match is not None, header.inner_text()
    size = int(match[1])
    expect(member_links(team)).to_have_count(size)
    return size


def test_teams_render_from_a_link_with_members_and_who_covers_what(
    page: Page, app_server: AppServer
) -> None:
    open_teams(page, app_server)

    best = page.locator(".st-key-teams_team_0")
    expect(best.get_by_text("Best team")).to_be_visible()
    expect(best.get_by_text("Security:")).to_be_visible()
    expect(best.get_by_text("Print services:")).to_be_visible()
    expect(member_links(best).first).to_be_visible()
    expect(page.get_by_role("checkbox", name="Print services")).to_be_checked()
    SCREENSHOTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS_DIR / "team_builder.png"), full_page=True)


def test_contact_this_team_creates_one_linked_lead_per_member(page: Page, start_app_server) -> None:  # type: ignore[no-untyped-def]
    server = start_app_server()  # its own database copy: this test writes leads
    before = len(team_leads(server))
    open_teams(page, server)
    best = page.locator(".st-key-teams_team_0")
    members = rendered_team_size(best)

    best.get_by_role("button", name="Contact this team").click()
    form = best.get_by_test_id("stForm")
    expect(form).to_be_visible()
    form.get_by_label("Your name").fill("Dana Owner")
    form.get_by_label("Email").fill("dana@example.com")
    sizes = form.get_by_role("radiogroup", name="Company size")
    sizes.get_by_text("11–50 employees", exact=True).click()
    expect(sizes.get_by_role("radio", name="11–50 employees")).to_be_checked()
    form.get_by_role("button", name="Send to the team").click()

    expect(best.get_by_text("Your request went to")).to_be_visible()
    # The leads are committed before the page shows its confirmation.
    leads = team_leads(server)[before:]
    assert len(leads) == members
    assert len({team_key for _pid, team_key in leads}) == 1
    SCREENSHOTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS_DIR / "team_builder_contact_sent.png"), full_page=True)


def test_find_partners_empty_state_links_to_teams_with_the_same_query(
    page: Page, app_server: AppServer
) -> None:
    page.goto(f"{app_server.url}/find_partners?needs={NEEDS}&near=77002")
    wait_for_script_idle(page)
    link = page.get_by_role("link", name="Look for a team of partners instead")
    expect(link).to_be_visible()
    link.click()

    expect(page.get_by_role("heading", name=HEADLINE)).to_be_visible()
    query = parse_qs(urlsplit(page.url).query)
    assert urlsplit(page.url).path.endswith("/team_builder")
    assert set(query["needs"][0].split(",")) == set(NEEDS.split(","))  # in taxonomy order
    assert query["near"] == ["77002"]


def test_best_team_is_drawn_on_a_map(page: Page, app_server: AppServer, require_map_assets) -> None:  # type: ignore[no-untyped-def]
    open_teams(page, app_server)
    members = rendered_team_size(page.locator(".st-key-teams_team_0"))
    frame = page.frame_locator("iframe[title='streamlit_folium.st_folium']").first
    expect(frame.locator(".leaflet-container")).to_be_visible()
    dots = frame.locator("path.leaflet-interactive")  # one dot per member, one for the customer
    # At least members + 1 dots: the (members + 1)-th one exists. Unlike a single count(),
    # this waits while Leaflet is still drawing.
    expect(dots.nth(members)).to_be_attached()


ATTRIBUTION_FIT = """container => {
    const box = container.getBoundingClientRect();
    const attribution = container.querySelector(".leaflet-control-attribution");
    const a = attribution.getBoundingClientRect();
    const overlaps = [...container.querySelectorAll(".leaflet-control")]
        .filter(c => c !== attribution)
        .map(c => c.getBoundingClientRect())
        .filter(r => r.width && r.height && r.left < a.right && a.left < r.right
            && r.top < a.bottom && a.top < r.bottom).length;
    const line = parseFloat(getComputedStyle(attribution).lineHeight) || 16;
    return {
        inside: a.left >= box.left - 0.5 && a.right <= box.right + 0.5
            && a.top >= box.top - 0.5 && a.bottom <= box.bottom + 0.5,
        clipped: attribution.scrollWidth > attribution.clientWidth + 1,
        lines: Math.round(a.height / line),
        overlaps,
        text: attribution.innerText,
    };
}"""


@pytest.mark.parametrize("width", [1400, 390])
def test_the_team_map_attribution_fits_its_box(
    page: Page,
    app_server: AppServer,
    require_map_assets,
    width: int,  # type: ignore[no-untyped-def]
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    open_teams(page, app_server)
    frame = page.frame_locator("iframe[title='streamlit_folium.st_folium']").first
    attribution = frame.locator(".leaflet-control-attribution")
    expect(attribution).to_be_visible()
    # The tile provider's attribution must stay on the map.
    expect(attribution).to_contain_text("OpenStreetMap contributors")
    fit = frame.locator(".leaflet-container").evaluate(ATTRIBUTION_FIT)
    assert fit["inside"], f"the attribution sticks out of its map: {fit}"
    assert not fit["clipped"], fit
    assert fit["overlaps"] == 0, f"the attribution overlaps another map control: {fit}"
    assert fit["lines"] == 1, f"the attribution wraps onto {fit['lines']} lines: {fit}"
    frame.locator(".leaflet-container").scroll_into_view_if_needed()
    SCREENSHOTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS_DIR / f"team_builder_map_{width}.png"))
