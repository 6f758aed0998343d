"""My program: a vendor runs its own program (members, requests, invitations) and no other."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlmodel import Session, col, select

from core.confidentiality import figures_shared_with
from core.models import (
    PROGRAM_ACTIVE,
    PROGRAM_REQUESTED,
    SIDE_PARTNER,
    Campaign,
    FundRequest,
    Partner,
    ProgramMembership,
)
from pages.parts.program_common import csv_bytes
from tests.app.conftest import AtlasDb, assert_no_exception, open_app, open_deep_link, page_text
from tests.app.widgets import widget

PAGE = "my_program.py"
PAGE_ROWS = 100  # core.analytics.program_members.SCORECARD_PAGE_ROWS
KEY = "program_Cisco_"


def memberships(db: AtlasDb, vendor: str, status: str) -> dict[int, ProgramMembership]:
    with Session(db.engine) as session:
        rows = session.exec(
            select(ProgramMembership).where(
                ProgramMembership.vendor == vendor, ProgramMembership.status == status
            )
        ).all()
    return {row.partner_id: row for row in rows}


def partner_names(db: AtlasDb, ids: set[int]) -> set[str]:
    with Session(db.engine) as session:
        return {p.name for p in session.exec(select(Partner)) if p.id in ids}


def test_vendor_sees_its_own_members_and_no_vendor_picker(shared_atlas_db: AtlasDb) -> None:
    at = open_app(shared_atlas_db, PAGE, as_="vendor")
    assert_no_exception(at)
    assert not [s for s in at.selectbox if s.label == "Vendor"]  # its own program only
    frames = [f.value for f in at.dataframe]
    cisco = partner_names(
        shared_atlas_db, set(memberships(shared_atlas_db, "Cisco", PROGRAM_ACTIVE))
    )
    # The scorecard (name + figures) and the members table (Partner + Tier): Cisco's own.
    scorecard = next(f for f in frames if {"name", "reported_share"} <= set(f))
    assert set(scorecard["name"]) <= cisco and len(scorecard) == min(len(cisco), PAGE_ROWS)
    members = next(f for f in frames if {"Partner", "Tier"} <= set(f))
    assert set(members["Partner"]) == cisco
    # Recruit candidates are public profiles of partners outside the program, never members.
    recruits = next(f for f in frames if "evidenced_level" in f)
    assert not set(recruits["name"]) & cisco


def test_admin_picks_the_vendor_whose_program_it_sees(shared_atlas_db: AtlasDb) -> None:
    at = open_app(shared_atlas_db, PAGE, as_="admin")
    assert_no_exception(at)
    at.selectbox(key="program_vendor").select("Microsoft").run()
    assert_no_exception(at)
    assert "Microsoft partner program" in page_text(at)


def test_partners_are_refused_and_anonymous_visitors_asked_to_sign_in(
    shared_atlas_db: AtlasDb,
) -> None:
    for role in ("partner_a", "anonymous"):
        at = open_deep_link(shared_atlas_db, PAGE, as_=role)
        assert_no_exception(at)
        text = page_text(at)
        expected = "Please sign in" if role == "anonymous" else "does not have access"
        assert expected in text
        assert not at.dataframe and not at.tabs


def test_vendor_approves_a_request_at_a_tier(atlas_db: AtlasDb) -> None:
    waiting = {
        pid: row
        for pid, row in memberships(atlas_db, "Cisco", PROGRAM_REQUESTED).items()
        if row.requested_by == SIDE_PARTNER
    }
    assert waiting, "the demo data has no open request to Cisco"
    at = open_app(atlas_db, PAGE, as_="vendor")
    pick = at.selectbox(key=f"{KEY}answer_pick")
    chosen = next(row for row in waiting.values() if row.id == pick.value)
    at.selectbox(key=f"{KEY}answer_tier").select("Premier")
    at = next(b for b in at.button if b.label == "Approve request").click().run()
    assert_no_exception(at)
    with Session(atlas_db.engine) as session:
        row = session.get(ProgramMembership, chosen.id)
        assert row is not None and (row.status, row.tier) == (PROGRAM_ACTIVE, "Premier")
    assert "is now a Premier member" in page_text(at)


def test_inviting_an_active_member_says_why_and_keeps_the_choice(atlas_db: AtlasDb) -> None:
    active = memberships(atlas_db, "Cisco", PROGRAM_ACTIVE)
    name = sorted(partner_names(atlas_db, set(active)))[0]
    at = open_app(atlas_db, PAGE, as_="vendor")
    widget(at, "text_input", "Partner name").input(name).run()
    at.selectbox(key=f"{KEY}invite_tier").select("Gold")
    at = next(b for b in at.button if b.label == "Send invitation").click().run()
    assert_no_exception(at)
    assert any("active cannot be requested again" in str(e.value) for e in at.error)
    assert at.selectbox(key=f"{KEY}invite_tier").value == "Gold"
    assert widget(at, "text_input", "Partner name").value == name


def fill_campaign_form(at, key: str, name: str) -> None:  # type: ignore[no-untyped-def]
    at.text_input(key=f"{KEY}c_name").input(name)
    at.text_input(key=f"{KEY}c_key").input(key)
    at.multiselect(key=f"{KEY}c_regions").select("south")
    at.multiselect(key=f"{KEY}c_needs").select("security")
    at.number_input(key=f"{KEY}c_budget").set_value(50_000.0)
    at.date_input(key=f"{KEY}c_start").set_value(date(2027, 3, 1))
    at.date_input(key=f"{KEY}c_end").set_value(date(2027, 5, 31))


def test_vendor_creates_a_campaign(atlas_db: AtlasDb) -> None:
    at = open_app(atlas_db, PAGE, as_="vendor")
    fill_campaign_form(at, "spring-security-27", "Spring security push")
    at = next(b for b in at.button if b.label == "Create campaign").click().run()
    assert_no_exception(at)
    with Session(atlas_db.engine) as session:
        row = session.exec(select(Campaign).where(Campaign.key == "spring-security-27")).one()
    assert (row.vendor, row.name, row.budget_usd, row.regions) == (
        "Cisco",
        "Spring security push",
        50_000.0,
        ["south"],
    )
    assert "Spring security push” created with $50,000" in page_text(at)
    budgets = next(f.value for f in at.dataframe if "Left" in f.value)
    assert "Spring security push" in set(budgets["Campaign"])


def test_a_bad_campaign_says_what_is_wrong_and_keeps_what_was_typed(atlas_db: AtlasDb) -> None:
    at = open_app(atlas_db, PAGE, as_="vendor")
    fill_campaign_form(at, "Not a key!", "Autumn <b>webinars</b>")
    at.date_input(key=f"{KEY}c_end").set_value(date(2027, 2, 1))  # before it starts
    at = next(b for b in at.button if b.label == "Create campaign").click().run()
    assert_no_exception(at)
    errors = " ".join(str(e.value) for e in at.error)
    assert "Key must be 2-40 lower-case letters" in errors, errors
    assert at.text_input(key=f"{KEY}c_name").value == "Autumn <b>webinars</b>"
    assert at.text_input(key=f"{KEY}c_key").value == "Not a key!"
    assert at.number_input(key=f"{KEY}c_budget").value == 50_000.0
    with Session(atlas_db.engine) as session:
        assert not session.exec(
            select(Campaign).where(col(Campaign.name).startswith("Autumn"))
        ).all()


def test_conflicting_deal_registrations_are_shown_before_the_buttons(atlas_db: AtlasDb) -> None:
    at = open_app(atlas_db, PAGE, as_="vendor")
    assert_no_exception(at)
    queue = next(f.value for f in at.dataframe if "Conflicts" in f.value)
    pick = at.selectbox(key=f"{KEY}deal_pick")
    # The demo data holds one Cisco conflict (core.demo): a pending registration for a
    # customer another partner has registered too.
    assert (queue["Conflicts"] > 0).any()
    assert "conflict" in str(pick.format_func(pick.value))  # conflicted ones come first
    # The other registration is approved and protecting: the vendor is told approval waits.
    warnings = " ".join(str(w.value) for w in at.warning)
    assert "already holds this customer" in warnings and "cannot be approved" in warnings


def test_csv_downloads_never_hand_a_spreadsheet_a_formula() -> None:
    frame = pd.DataFrame(
        {"name": ['=HYPERLINK("http://x")', "+1 Corp", "Plain Co"], "roi": [1.5, None, 2.0]}
    )
    lines = csv_bytes(frame).decode("utf-8-sig").splitlines()
    assert lines[1].startswith("\"'=HYPERLINK") and lines[2].startswith("'+1 Corp")
    assert lines[3] == "Plain Co,2.0"


def test_vendor_approves_a_fund_request_for_the_amount_asked(atlas_db: AtlasDb) -> None:
    at = open_app(atlas_db, PAGE, as_="vendor")
    fund_id = at.selectbox(key=f"{KEY}fund_pick").value
    at = next(b for b in at.button if b.label == "Approve funds").click().run()
    assert_no_exception(at)
    with Session(atlas_db.engine) as session:
        fund = session.get(FundRequest, fund_id)
        assert fund is not None
    text = page_text(at)
    if fund.status == "approved":  # within the campaign's budget
        assert fund.approved_usd == fund.amount_usd and "Approved $" in text
    else:  # the demo campaign has too little left: core's sentence, nothing changed
        assert fund.status == "requested" and "budget" in text


def test_the_scorecard_shows_revenue_and_staff_only_of_members_sharing_with_the_vendor(
    shared_atlas_db: AtlasDb,
) -> None:
    at = open_app(shared_atlas_db, PAGE, as_="vendor")
    at.session_state[f"{KEY}score_group"] = "Business"
    at.run()
    assert_no_exception(at)
    card = next(f.value for f in at.dataframe if "revenue_usd" in f.value)
    assert {"headcount", "revenue_growth"} <= set(card.columns) and len(card)
    with Session(shared_atlas_db.engine) as session:
        sharing = figures_shared_with(session, "Cisco")
    shared_names = partner_names(shared_atlas_db, sharing)
    hidden_names = partner_names(
        shared_atlas_db, set(memberships(shared_atlas_db, "Cisco", PROGRAM_ACTIVE)) - sharing
    )
    rows = card.to_dict("records")
    shown = [r for r in rows if r["name"] in shared_names - hidden_names]
    hidden = [r for r in rows if r["name"] in hidden_names - shared_names]
    assert shown and hidden  # the demo has both kinds among the first page
    for row in hidden:
        assert all(pd.isna(row[c]) for c in ("revenue_usd", "revenue_growth", "headcount")), row
    assert all(pd.notna(r["revenue_usd"]) and pd.notna(r["headcount"]) for r in shown)
