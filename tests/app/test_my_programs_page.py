"""The partner's "My programs" page (AppTest): its own programs only, applying, invitations,
the per-vendor consent switch (stored and audited), and forms that keep what was typed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, col, select

from core.analytics.partner_programs import partner_program_summary
from core.db import session_scope
from core.leads.lifecycle import submit_contact_request
from core.models import (
    PROGRAM_ACTIVE,
    PROGRAM_REQUESTED,
    SIDE_PARTNER,
    AuditEvent,
    ContactRequest,
    DealRegistration,
    FiguresConsent,
    FundRequest,
    Lead,
    ProgramMembership,
)
from core.programs.answers import approve_request
from core.programs.campaigns import create_campaign
from core.programs.consent import set_figures_consent
from core.programs.funds import approve_funds, claim_funds, pay_claim, request_funds
from core.programs.listing import list_partner_programs
from core.programs.memberships import invite_partner, request_membership
from core.taxonomy import get_taxonomy
from tests.app.conftest import AtlasDb, assert_no_exception, open_app, page_text
from tests.app.widgets import click, widget

PAGE = "my_programs.py"
CONFIRM_END = "Yes, end it: the vendor stops seeing my program data and figures."


def memberships(db: AtlasDb, partner_id: int) -> dict[str, ProgramMembership]:
    with Session(db.engine) as session:
        rows = session.exec(
            select(ProgramMembership).where(ProgramMembership.partner_id == partner_id)
        ).all()
        for row in rows:
            session.expunge(row)
    return {row.vendor: row for row in rows}


def free_vendor(db: AtlasDb, partner_id: int, *, skip: tuple[str, ...] = ()) -> str:
    """A vendor the partner has no membership (and no consent row) with."""
    taken = set(memberships(db, partner_id)) | set(skip)
    with Session(db.engine) as session:
        taken |= set(
            session.exec(
                select(FiguresConsent.vendor).where(FiguresConsent.partner_id == partner_id)
            ).all()
        )
    return next(v for v in get_taxonomy().vendors if v not in taken)


def make_active(db: AtlasDb, partner_id: int, vendor: str) -> None:
    admin = db.accounts["admin"]
    with session_scope(db.engine) as session:
        row = request_membership(session=session, actor=admin, partner_id=partner_id, vendor=vendor)
        approve_request(
            session=session,
            actor=admin,
            membership_id=row.id,
            seen_version=row.version,
            tier=get_taxonomy().tiers_of(vendor)[0],
        )


def consent(db: AtlasDb, partner_id: int, vendor: str) -> bool | None:
    with Session(db.engine) as session:
        row = session.get(FiguresConsent, (partner_id, vendor))
        return None if row is None else row.granted


def consent_toggle(at, vendor: str):  # type: ignore[no-untyped-def]
    return widget(at, "toggle", f"Let {vendor} see my revenue and headcount")


def test_partner_sees_its_own_programs_and_not_another_partners(atlas_db: AtlasDb) -> None:
    db = atlas_db
    other_only = free_vendor(db, db.partner_b, skip=tuple(memberships(db, db.partner_a)))
    make_active(db, db.partner_b, other_only)
    at = open_app(db, PAGE, as_="partner_a")
    assert_no_exception(at)
    with Session(db.engine) as session:
        own = list_partner_programs(session, db.accounts["partner_a"], db.partner_a)
    shown = list(at.table[0].value["Vendor"]) if at.table else []
    assert shown == [p.vendor for p in own if p.status is not None]
    assert other_only not in shown
    assert not [t for t in at.toggle if other_only in t.label]


@pytest.mark.parametrize(("role", "message"), [
    ("vendor", "does not have access to this page"),
    ("anonymous", "Please sign in to continue"),
])  # fmt: skip
def test_vendor_and_anonymous_visitors_are_refused(
    atlas_db: AtlasDb, role: str, message: str
) -> None:
    at = open_app(atlas_db, PAGE, as_=role)
    assert_no_exception(at)
    assert message in page_text(at)
    assert not at.table and not at.toggle and not at.selectbox and not at.button


def test_partner_applies_to_a_vendor_program(atlas_db: AtlasDb) -> None:
    db = atlas_db
    vendor = free_vendor(db, db.partner_a)
    at = open_app(db, PAGE, as_="partner_a")
    at.selectbox(key="pp_apply_vendor").set_value(vendor)
    at = click(at, "Apply")
    assert_no_exception(at)
    assert any(f"You applied to {vendor}" in s.value for s in at.success), page_text(at)
    row = memberships(db, db.partner_a)[vendor]
    assert (row.status, row.requested_by) == (PROGRAM_REQUESTED, SIDE_PARTNER)
    assert "Applied (vendor to answer)" in set(at.table[0].value["Status"])


def test_partner_accepts_an_invitation(atlas_db: AtlasDb) -> None:
    db = atlas_db
    vendor = free_vendor(db, db.partner_a)
    with session_scope(db.engine) as session:
        invite_partner(session=session, actor=db.accounts["admin"], partner_id=db.partner_a,
                       vendor=vendor)  # fmt: skip
    at = open_app(db, PAGE, as_="partner_a")
    assert f"**{vendor}** invites you" in page_text(at)
    at = click(at, "Accept")
    assert_no_exception(at)
    assert memberships(db, db.partner_a)[vendor].status == PROGRAM_ACTIVE
    assert any(f"member of {vendor}" in s.value for s in at.success), page_text(at)


def test_toggling_consent_is_stored_and_audited_and_revoking_works_at_once(
    atlas_db: AtlasDb,
) -> None:
    db = atlas_db
    vendor = free_vendor(db, db.partner_a)
    make_active(db, db.partner_a, vendor)
    at = open_app(db, PAGE, as_="partner_a")
    assert consent_toggle(at, vendor).value is False
    consent_toggle(at, vendor).set_value(True)
    at.run()
    assert_no_exception(at)
    assert consent(db, db.partner_a, vendor) is True
    assert consent_toggle(at, vendor).value is True
    assert any(f"{vendor} may now see" in s.value for s in at.success), page_text(at)

    consent_toggle(at, vendor).set_value(False)
    at.run()
    assert consent(db, db.partner_a, vendor) is False
    assert consent_toggle(at, vendor).value is False
    with Session(db.engine) as session:
        events = session.exec(
            select(AuditEvent)
            .where(AuditEvent.entity_type == "figures_consent")
            .where(AuditEvent.entity_id == f"{db.partner_a}:{vendor}")
            .order_by(col(AuditEvent.id))
        ).all()
    assert [(e.action, e.actor_label) for e in events] == [
        ("grant", "partner1"),
        ("revoke", "partner1"),
    ]


def test_a_consent_left_after_the_membership_ended_can_still_be_revoked(
    atlas_db: AtlasDb,
) -> None:
    db = atlas_db
    vendor = free_vendor(db, db.partner_a)
    with session_scope(db.engine) as session:
        set_figures_consent(session=session, actor=db.accounts["partner_a"],
                            partner_id=db.partner_a, vendor=vendor, granted=True)  # fmt: skip
    at = open_app(db, PAGE, as_="partner_a")
    assert f"not an active member of {vendor}" in page_text(at)
    consent_toggle(at, vendor).set_value(False)
    at.run()
    assert consent(db, db.partner_a, vendor) is False


def test_bad_input_is_refused_and_the_forms_keep_what_was_typed(atlas_db: AtlasDb) -> None:
    db = atlas_db
    vendor = free_vendor(db, db.partner_a)
    make_active(db, db.partner_a, vendor)
    before = memberships(db, db.partner_a)

    at = open_app(db, PAGE, as_="partner_a")
    at = click(at, "Apply")  # no vendor chosen
    assert any("Choose the vendor" in e.value for e in at.error), page_text(at)

    [mid] = [m.id for v, m in before.items() if v == vendor]
    widget(at, "selectbox", "Membership").set_value(mid)
    at = click(at, "End membership / withdraw request")  # not confirmed
    assert_no_exception(at)
    assert any("Tick the box" in e.value for e in at.error), page_text(at)
    assert widget(at, "selectbox", "Membership").value == mid
    assert {v: (m.status, m.version) for v, m in memberships(db, db.partner_a).items()} == {
        v: (m.status, m.version) for v, m in before.items()
    }

    widget(at, "checkbox", CONFIRM_END).check()
    at = click(at, "End membership / withdraw request")
    assert_no_exception(at)
    assert memberships(db, db.partner_a)[vendor].status == "ended"
    assert any(f"You left {vendor}" in s.value for s in at.success), page_text(at)


def test_a_stale_answer_is_refused_with_a_message(atlas_db: AtlasDb) -> None:
    db = atlas_db
    vendor = free_vendor(db, db.partner_a)
    with session_scope(db.engine) as session:
        invite_partner(session=session, actor=db.accounts["admin"], partner_id=db.partner_a,
                       vendor=vendor)  # fmt: skip
    at = open_app(db, PAGE, as_="partner_a")
    row = memberships(db, db.partner_a)[vendor]
    with session_scope(db.engine) as session:  # the vendor withdraws and invites again
        from core.programs.answers import end_membership

        ended = end_membership(session=session, actor=db.accounts["admin"],
                               membership_id=row.id, seen_version=row.version)  # fmt: skip
        invite_partner(session=session, actor=db.accounts["admin"], partner_id=db.partner_a,
                       vendor=vendor, seen_version=ended.version)  # fmt: skip
    at = click(at, "Accept")
    assert_no_exception(at)
    assert any("changed meanwhile" in e.value for e in at.error), page_text(at)
    assert memberships(db, db.partner_a)[vendor].status == PROGRAM_REQUESTED


def test_admin_picks_a_partner_by_id(atlas_db: AtlasDb) -> None:
    db = atlas_db
    at = open_app(db, PAGE, as_="admin")
    assert_no_exception(at)
    assert "Enter a partner's ID" in page_text(at)
    widget(at, "number_input", "Partner ID").set_value(db.partner_b)
    at.run()
    assert_no_exception(at)
    with Session(db.engine) as session:
        own = list_partner_programs(session, db.accounts["admin"], db.partner_b)
    shown = list(at.table[0].value["Vendor"]) if at.table else []
    assert shown == [p.vendor for p in own if p.status is not None]
    widget(at, "number_input", "Partner ID").set_value(999_999)
    at.run()
    assert "There is no partner with ID 999999" in page_text(at)


# ---- funds, deals, leads and ROI -------------------------------------------------------------


def running_campaign(db: AtlasDb, vendor: str, budget: float = 5000.0) -> int:
    with session_scope(db.engine) as session:
        campaign = create_campaign(
            session=session,
            actor=db.accounts["admin"],
            data={
                "vendor": vendor,
                "key": "spring-push",
                "name": "Spring push",
                "regions": [],
                "target_needs": [],
                "target_sizes": [],
                "budget_usd": budget,
                "starts_on": date.today() - timedelta(days=1),
                "ends_on": date.today() + timedelta(days=30),
            },
        )
    return campaign.id


def funds_of(db: AtlasDb, partner_id: int) -> list[FundRequest]:
    with Session(db.engine) as session:
        rows = session.exec(
            select(FundRequest)
            .where(FundRequest.partner_id == partner_id)
            .order_by(col(FundRequest.id))
        ).all()
        for row in rows:
            session.expunge(row)
    return list(rows)


def test_partner_requests_funds_and_an_overrun_keeps_what_was_typed(atlas_db: AtlasDb) -> None:
    db = atlas_db
    vendor = free_vendor(db, db.partner_a)
    make_active(db, db.partner_a, vendor)
    running_campaign(db, vendor, budget=5000.0)
    before = len(funds_of(db, db.partner_a))
    at = open_app(db, PAGE, as_="partner_a")
    at.selectbox(key="pp_fund_vendor").set_value(vendor).run()
    at.text_area(key="pp_fund_activity").input("Webinar for dental practices")
    at.number_input(key="pp_fund_amount").set_value(2500.0)
    at = click(at, "Request funds")
    assert_no_exception(at)
    assert any(f"from {vendor}" in s.value for s in at.success), page_text(at)
    [fund] = funds_of(db, db.partner_a)[before:]
    assert (fund.vendor, fund.amount_usd, fund.status) == (vendor, 2500.0, "requested")
    assert fund.activity == "Webinar for dental practices"

    at.selectbox(key="pp_fund_vendor").set_value(vendor).run()
    at.text_area(key="pp_fund_activity").input("x")  # too short for core
    at.number_input(key="pp_fund_amount").set_value(100.0)
    at = click(at, "Request funds")
    assert_no_exception(at)
    assert at.error, page_text(at)
    assert at.text_area(key="pp_fund_activity").value == "x"
    assert at.number_input(key="pp_fund_amount").value == 100.0
    assert len(funds_of(db, db.partner_a)) == before + 1


def test_a_claim_needs_its_proof_file_and_keeps_what_was_typed(atlas_db: AtlasDb) -> None:
    db = atlas_db
    vendor = free_vendor(db, db.partner_a)
    make_active(db, db.partner_a, vendor)
    campaign_id = running_campaign(db, vendor)
    with session_scope(db.engine) as session:
        fund = request_funds(session=session, actor=db.accounts["partner_a"],
                             campaign_id=campaign_id, partner_id=db.partner_a,
                             activity="Trade fair booth", amount_usd=1000.0)  # fmt: skip
        approve_funds(session=session, actor=db.accounts["admin"], fund_id=fund.id,
                      seen_version=fund.version)  # fmt: skip
    at = open_app(db, PAGE, as_="partner_a")
    assert "Only the file's name is stored" in page_text(at)
    at.selectbox(key="pp_claim_fund").set_value(fund.id)
    at.text_area(key="pp_claim_description").input("Booth at the regional fair")
    at.number_input(key="pp_claim_amount").set_value(900.0)
    at = click(at, "Submit claim")
    assert any("Attach the proof" in e.value for e in at.error), page_text(at)
    assert at.text_area(key="pp_claim_description").value == "Booth at the regional fair"
    assert funds_of(db, db.partner_a)[-1].status == "approved"


def test_leads_and_roi_per_vendor_match_core_and_link_to_my_leads(atlas_db: AtlasDb) -> None:
    db = atlas_db
    vendor = free_vendor(db, db.partner_a)
    make_active(db, db.partner_a, vendor)
    campaign_id = running_campaign(db, vendor)
    admin, partner = db.accounts["admin"], db.accounts["partner_a"]
    with session_scope(db.engine) as session:
        fund = request_funds(
            session=session,
            actor=partner,
            campaign_id=campaign_id,
            partner_id=db.partner_a,
            activity="Webinar",
            amount_usd=2000.0,
        )
        fund = approve_funds(
            session=session, actor=admin, fund_id=fund.id, seen_version=fund.version
        )
        fund = claim_funds(
            session=session,
            actor=partner,
            fund_id=fund.id,
            seen_version=fund.version,
            claim={
                "description": "Webinar held",
                "amount_usd": 2000.0,
                "attachment_name": "invoice.pdf",
            },
        )
        pay_claim(session=session, actor=admin, fund_id=fund.id, seen_version=fund.version)
        for value in (6000.0, 4000.0, None):  # two won leads of that vendor, one still open
            lead = submit_contact_request(
                session=session,
                partner_id=db.partner_a,
                request=ContactRequest(
                    contact_name="Pat Buyer",
                    contact_email="pat@example.com",
                    company_size="11-50",
                    needs=["networking"],
                ),
            )
            row = session.get(Lead, lead.id)
            assert row is not None
            row.vendor_name = vendor
            if value is not None:  # won earlier (closed-loop reporting is My leads' test)
                row.status, row.value_usd = "won", value
            session.add(row)  # fmt: skip
    at = open_app(db, PAGE, as_="partner_a")
    assert_no_exception(at)
    with Session(db.engine) as session:
        summary = partner_program_summary(session=session, viewer=partner, partner_id=db.partner_a)
    expected = summary[(summary["leads"] > 0) | (summary["funds_paid_usd"] > 0)]
    [frame] = [t.value for t in at.table if "ROI" in t.value.columns]
    assert list(frame["Vendor"]) == list(expected["vendor"])
    row = frame[frame["Vendor"] == vendor].iloc[0]
    assert (row["Leads sent"], row["Won"], row["Won value"], row["Funds paid"], row["ROI"]) == (
        3, 2, "$10,000", "$2,000", "5.0×",
    )  # fmt: skip
    assert any("my_leads" in str(link.proto.page) for link in at.main.get("page_link"))


def deals_of(db: AtlasDb, partner_id: int) -> list[DealRegistration]:
    with Session(db.engine) as session:
        rows = session.exec(
            select(DealRegistration).where(DealRegistration.partner_id == partner_id)
        ).all()
        for row in rows:
            session.expunge(row)
    return list(rows)


def test_partner_registers_a_deal_bad_zip_keeps_the_form_and_withdraws_it(
    atlas_db: AtlasDb,
) -> None:
    db = atlas_db
    vendor = free_vendor(db, db.partner_a)
    make_active(db, db.partner_a, vendor)
    line = get_taxonomy().product_lines_of(vendor)[0]
    before = len(deals_of(db, db.partner_a))
    at = open_app(db, PAGE, as_="partner_a")
    at.selectbox(key="pp_deal_vendor").set_value(vendor).run()
    at.text_input(key="pp_deal_company").input("Acme Dental, Inc.")
    at.text_input(key="pp_deal_zip").input("9021")
    at.multiselect(key=f"pp_deal_lines_{vendor}").set_value([line])
    at.number_input(key="pp_deal_value").set_value(48000.0)
    at = click(at, "Register deal")
    assert_no_exception(at)
    assert any("ZIP" in e.value for e in at.error), page_text(at)
    assert at.text_input(key="pp_deal_company").value == "Acme Dental, Inc."
    assert len(deals_of(db, db.partner_a)) == before

    at.text_input(key="pp_deal_zip").input("90210")
    at = click(at, "Register deal")
    assert_no_exception(at)
    assert any("Registered Acme Dental" in s.value for s in at.success), page_text(at)
    [deal] = [d for d in deals_of(db, db.partner_a) if d.customer_company == "Acme Dental, Inc."]
    assert (deal.vendor, deal.zip_code, deal.product_lines, deal.status) == (
        vendor, "90210", [line], "pending",
    )  # fmt: skip

    at.selectbox(key="pp_withdraw_deal").set_value(deal.id)
    at = click(at, "Withdraw deal")
    assert_no_exception(at)
    [deal] = [d for d in deals_of(db, db.partner_a) if d.id == deal.id]
    assert deal.status == "withdrawn"
