"""A vendor's campaign leads in core: the CSV import (all-or-nothing, every bad row named),
assigning leads to active members, and the closed loop (what a won lead sold).
Runs on SQLite and PostgreSQL (`db_engine`)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from core.access import PermissionDenied
from core.db import session_scope
from core.leads.campaign_csv import MAX_BYTES
from core.leads.campaign_leads import CampaignLeadImport, assign_lead, import_campaign_leads
from core.leads.lifecycle import LeadError, change_lead_status
from core.models import AccountPublic, AuditEvent, Campaign, Lead
from tests.integration.programs.program_world import (
    ProgramWorld,
    X,
    audit_fixture,
    build_program_world,
)

HEADER = "company,contact_name,contact_email,zip,company_size,needs\n"
GOOD = (
    HEADER
    + "Acme Inc,Dana Lee,dana@example.com,78701,11-50,networking;security\n"
    + '"Bits, Bytes & Co",Sam <b>Ray</b>,sam@example.com,10001,1-10,cloud\n'
)
BAD = (
    HEADER
    + "Acme Inc,Dana Lee,dana@example.com,78701,11-50,networking\n"
    + "A,Dana Lee,not-an-email,7870,huge,teleportation\n"
    + "Fine Co,Jo Park,jo@example.com,99999,51-200,\n"
)


@pytest.fixture
def world(db_engine: Engine) -> ProgramWorld:
    world = build_program_world(db_engine)
    with session_scope(db_engine) as s:
        campaign = Campaign(
            vendor=X, key="spring-wifi", name="Spring Wi-Fi", budget_usd=10_000,
            starts_on=date.today() - timedelta(days=10), ends_on=date.today() + timedelta(days=50),
        )  # fmt: skip
        s.add(campaign)
        s.flush()
        audit_fixture(s, "campaign", campaign.id or 0)
    return world


def load(
    world: ProgramWorld, text: str, actor: AccountPublic | None = None, **kw
) -> CampaignLeadImport:  # type: ignore[no-untyped-def]
    with session_scope(world.engine) as s:
        return import_campaign_leads(
            session=s, actor=actor or world.vendor, vendor=X, csv_text=text, **kw
        )


def leads(engine: Engine) -> list[Lead]:
    with Session(engine) as session:
        return list(session.exec(select(Lead).order_by(col(Lead.id))).all())


def lead_events(engine: Engine, action: str) -> list[AuditEvent]:
    with Session(engine) as session:
        statement = select(AuditEvent).where(
            AuditEvent.entity_type == "lead", AuditEvent.action == action
        )
        return list(session.exec(statement).all())


def test_a_campaign_file_becomes_unassigned_co_marketing_leads_each_audited(
    world: ProgramWorld,
) -> None:
    report = load(world, GOOD, campaign_key="Spring-WiFi")
    assert report.ok and report.rows == 2 and len(report.created) == 2
    rows = leads(world.engine)
    assert [r.id for r in rows] == report.created
    first, second = rows
    assert (first.source, first.vendor_name, first.partner_id, first.status) == (
        "co_marketing", X, None, "new",
    )  # fmt: skip
    assert first.campaign_id is not None and first.needs == ["networking", "security"]
    assert (first.company, first.zip_code, first.company_size) == ("Acme Inc", "78701", "11-50")
    # Stored as typed: escaping is the page's job when it shows it.
    assert (second.company, second.contact_name) == ("Bits, Bytes & Co", "Sam <b>Ray</b>")
    events = lead_events(world.engine, "import")
    assert len(events) == 2 and {e.actor_label for e in events} == {"vendor"}
    assert events[0].changes["vendor_name"]["after"] == X


def test_without_a_campaign_the_leads_are_vendor_referrals(world: ProgramWorld) -> None:
    load(world, GOOD)
    assert {(r.source, r.campaign_id) for r in leads(world.engine)} == {("vendor_referral", None)}


def test_one_bad_row_and_nothing_is_written_every_bad_row_named(world: ProgramWorld) -> None:
    report = load(world, BAD)
    assert report.created == [] and leads(world.engine) == []
    lines = sorted({line for line, _ in report.errors})
    assert lines == [3, 4]
    text = "\n".join(f"{line}: {message}" for line, message in report.errors)
    for expected in (
        "3: company: at least 2 characters",
        "3: contact_email: email must look like name@example.com",
        "3: zip: a ZIP code has 5 digits, not '7870'",
        "3: company_size: company size must be one of",
        "3: needs: unknown need(s): teleportation",
        "4: zip: unknown ZIP code 99999",
        "4: needs: name at least one need key",
    ):
        assert expected in text
    assert report.summary() == "Nothing was imported: 2 of 3 rows have problems."
    assert lead_events(world.engine, "import") == []


def test_keep_going_writes_the_good_rows_and_reports_the_bad(world: ProgramWorld) -> None:
    report = load(world, BAD, all_or_nothing=False)
    assert len(report.created) == 1 and {line for line, _ in report.errors} == {3, 4}
    assert [r.company for r in leads(world.engine)] == ["Acme Inc"]
    assert report.summary() == "Imported 1 of 3 leads. 2 rows were rejected."


def test_a_wrong_header_or_a_file_too_large_is_refused_as_a_whole(world: ProgramWorld) -> None:
    report = load(world, "company,name\nAcme,Dana\n", all_or_nothing=False)
    assert report.created == [] and all(line == 1 for line, _ in report.errors)
    assert any("name: unknown column" in m for _, m in report.errors)
    assert any("needs: required column is missing" in m for _, m in report.errors)
    huge = GOOD + "x" * MAX_BYTES
    report = load(world, huge, all_or_nothing=False)
    assert report.created == [] and "at most 5 MB" in report.errors[0][1]
    assert leads(world.engine) == []


def test_assign_to_an_active_member_on_import_only(world: ProgramWorld) -> None:
    report = load(world, GOOD, assign_to=world.a)
    assert {r.partner_id for r in leads(world.engine)} == {world.a} and report.ok
    for pid in (world.requested, world.ended, world.stranger):
        with pytest.raises(LeadError, match="not an active member of the Cisco program"):
            load(world, GOOD, assign_to=pid)
    with pytest.raises(LeadError, match="Cisco has no campaign 'autumn'"):
        load(world, GOOD, campaign_key="autumn")


@pytest.mark.parametrize("who", ["anonymous", "partner_a", "vendor_y"])
def test_only_the_vendor_or_an_admin_imports_and_assigns(world: ProgramWorld, who: str) -> None:
    load(world, GOOD)
    actor = world.roles[who]
    with pytest.raises(PermissionDenied), session_scope(world.engine) as s:
        import_campaign_leads(session=s, actor=actor, vendor=X, csv_text=GOOD)
    lead_id = leads(world.engine)[0].id or 0
    with pytest.raises(PermissionDenied), session_scope(world.engine) as s:
        assign_lead(session=s, actor=actor, lead_id=lead_id, partner_id=world.a)
    assert len(leads(world.engine)) == 2
    assert len(load(world, GOOD, actor=world.admin).created) == 2


def test_the_vendor_assigns_and_reassigns_a_lead_until_the_partner_answers(
    world: ProgramWorld,
) -> None:
    load(world, GOOD, campaign_key="spring-wifi")
    lead_id = leads(world.engine)[0].id or 0
    with session_scope(world.engine) as s:
        given = assign_lead(session=s, actor=world.vendor, lead_id=lead_id, partner_id=world.a)
    assert given.partner_id == world.a
    with pytest.raises(LeadError, match="not an active member"), session_scope(world.engine) as s:
        assign_lead(session=s, actor=world.vendor, lead_id=lead_id, partner_id=world.stranger)
    with session_scope(world.engine) as s:
        again = assign_lead(session=s, actor=world.vendor, lead_id=lead_id, partner_id=world.b)
    assert again.partner_id == world.b
    with session_scope(world.engine) as s:
        change_lead_status(session=s, actor=world.partner_b, lead_id=lead_id, to_status="engaged")
    with pytest.raises(LeadError, match="cannot be reassigned"), session_scope(world.engine) as s:
        assign_lead(session=s, actor=world.vendor, lead_id=lead_id, partner_id=world.a)
    events = lead_events(world.engine, "assign")
    assert [e.changes["partner_id"] for e in events] == [
        {"before": None, "after": world.a},
        {"before": world.a, "after": world.b},
    ]


def test_a_won_vendor_lead_names_the_vendors_product_lines_sold(world: ProgramWorld) -> None:
    load(world, GOOD, campaign_key="spring-wifi", assign_to=world.a)
    lead_id = leads(world.engine)[0].id or 0

    def move(to: str, **kw) -> Lead:  # type: ignore[no-untyped-def]
        with session_scope(world.engine) as s:
            return change_lead_status(
                session=s, actor=world.partner_a, lead_id=lead_id, to_status=to, **kw
            )

    with pytest.raises(LeadError, match="named when a lead is won"):
        move("engaged", product_lines=["Networking"])
    move("engaged")
    with pytest.raises(LeadError, match="at least one of its product lines"):
        move("won", value_usd=5000)
    with pytest.raises(LeadError, match="no product line 'Surface'"):
        move("won", value_usd=5000, product_lines=["Surface"])
    won = move("won", value_usd=5000, product_lines=["Security", "Networking", "Security"])
    assert won.product_lines == ["Networking", "Security"]  # the vendor's own order
    event = lead_events(world.engine, "status_change")[-1]
    assert event.changes["product_lines"] == {"before": [], "after": ["Networking", "Security"]}


def test_a_directory_lead_is_won_without_product_lines(world: ProgramWorld) -> None:
    with session_scope(world.engine) as s:
        lead = Lead(
            partner_id=world.a, contact_name="Dana", contact_email="d@example.com",
            company_size="1-10", needs=["cloud"],
        )  # fmt: skip
        s.add(lead)
        s.flush()
        audit_fixture(s, "lead", lead.id or 0)
        lead_id = lead.id or 0
    with session_scope(world.engine) as s:
        change_lead_status(session=s, actor=world.partner_a, lead_id=lead_id, to_status="engaged")
    with (
        pytest.raises(LeadError, match="Only a lead a vendor sent"),
        session_scope(world.engine) as s,
    ):
        change_lead_status(
            session=s, actor=world.partner_a, lead_id=lead_id, to_status="won",
            value_usd=10, product_lines=["Networking"],
        )  # fmt: skip
    with session_scope(world.engine) as s:
        won = change_lead_status(
            session=s, actor=world.partner_a, lead_id=lead_id, to_status="won", value_usd=10
        )
    assert (won.status, won.product_lines) == ("won", [])
    with Session(world.engine) as session:
        assert session.exec(select(func.count()).select_from(Lead)).one() == 1
