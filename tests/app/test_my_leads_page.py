"""The partner's leads inbox (AppTest): filters, status changes with their rules, history."""

from __future__ import annotations

from sqlmodel import Session

from core.db import session_scope
from core.leads.lifecycle import submit_contact_request
from core.models import ContactRequest, Lead
from core.taxonomy import get_taxonomy
from tests.app.conftest import AtlasDb, assert_no_exception, open_app, page_text
from tests.app.widgets import click, widget

PAGE = "my_leads.py"
HOSTILE = "<script>alert(1)</script> **x** [y](javascript:z) \\ ` ${t} 日本語"


def new_lead(db: AtlasDb, partner_id: int, name: str = "Dana Customer") -> int:
    with session_scope(db.engine) as session:
        lead = submit_contact_request(
            session=session,
            partner_id=partner_id,
            request=ContactRequest(
                contact_name=name,
                contact_email="dana@example.com",
                company_size="11-50",
                needs=["networking"],
                message=HOSTILE,
            ),
        )
    return int(lead.id)  # type: ignore[arg-type]


def status(db: AtlasDb, lead_id: int) -> Lead:
    with Session(db.engine) as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        session.expunge(lead)
        return lead


def test_partner_moves_a_lead_to_won_and_sees_its_history(atlas_db: AtlasDb) -> None:
    lead_id = new_lead(atlas_db, atlas_db.partner_a)
    at = open_app(atlas_db, PAGE, as_="partner_a")
    assert_no_exception(at)
    assert lead_id in set(at.dataframe[0].value["Lead"])
    widget(at, "selectbox", "Open a lead").set_value(lead_id)
    at.run()
    # The visitor's message is shown as plain text, never as markdown or HTML.
    assert HOSTILE in [t.value for t in at.text]
    assert not [m.value for m in at.markdown if "<script>" in m.value]

    widget(at, "selectbox", "New status").set_value("engaged")
    at = click(at, "Change status")
    assert_no_exception(at)
    assert status(atlas_db, lead_id).status == "engaged"

    widget(at, "selectbox", "New status").set_value("won")
    at = click(at, "Change status")
    assert any("deal value" in e.value for e in at.error), page_text(at)
    assert status(atlas_db, lead_id).status == "engaged"

    widget(at, "selectbox", "New status").set_value("won")
    widget(at, "number_input", "Deal value in USD (required for Won)").set_value(4200.0)
    at = click(at, "Change status")
    assert_no_exception(at)
    lead = status(atlas_db, lead_id)
    assert (lead.status, lead.value_usd) == ("won", 4200.0)
    history = at.dataframe[-1].value
    assert list(history["To"]) == ["New", "Engaged", "Won"]
    assert set(history["By"]) >= {"partner1"}


def test_lost_needs_a_reason_and_the_status_filter_works(atlas_db: AtlasDb) -> None:
    lead_id = new_lead(atlas_db, atlas_db.partner_a, name="Filter Me")
    at = open_app(atlas_db, PAGE, as_="partner_a")
    widget(at, "selectbox", "Open a lead").set_value(lead_id)
    at.run()
    widget(at, "selectbox", "New status").set_value("lost")
    at = click(at, "Change status")
    assert any("reason" in e.value for e in at.error)
    widget(at, "selectbox", "New status").set_value("lost")
    widget(at, "text_input", "Reason (required for Lost)").input("Budget frozen")
    at = click(at, "Change status")
    assert_no_exception(at)
    assert status(atlas_db, lead_id).lost_reason == "Budget frozen"
    widget(at, "selectbox", "Status").set_value("lost")
    at.run()
    assert lead_id in set(at.dataframe[0].value["Lead"])
    assert set(at.dataframe[0].value["Status"]) == {"Lost"}


def test_a_won_vendor_lead_names_the_vendors_product_lines_sold(atlas_db: AtlasDb) -> None:
    lead_id = new_lead(atlas_db, atlas_db.partner_a, name="Vendor Lead")
    vendor = "Cisco"
    line = get_taxonomy().product_lines_of(vendor)[0]
    with Session(atlas_db.engine) as session:  # test set-up: as a campaign import leaves it
        row = session.get(Lead, lead_id)
        assert row is not None
        row.vendor_name, row.status = vendor, "engaged"
        session.add(row)
        session.commit()
    at = open_app(atlas_db, PAGE, as_="partner_a")
    widget(at, "selectbox", "Open a lead").set_value(lead_id)
    at.run()
    lines_label = f"{vendor} product lines sold (required for Won)"
    widget(at, "selectbox", "New status").set_value("won")
    widget(at, "number_input", "Deal value in USD (required for Won)").set_value(9000.0)
    widget(at, "text_area", "Note (optional)").input("Signed on Friday")
    at = click(at, "Change status")
    assert_no_exception(at)
    assert any("product line" in e.value for e in at.error), page_text(at)
    assert status(atlas_db, lead_id).status == "engaged"
    # The refused change keeps what was typed.
    assert widget(at, "number_input", "Deal value in USD (required for Won)").value == 9000.0
    assert widget(at, "text_area", "Note (optional)").value == "Signed on Friday"

    widget(at, "multiselect", lines_label).set_value([line])
    at = click(at, "Change status")
    assert_no_exception(at)
    lead = status(atlas_db, lead_id)
    assert (lead.status, lead.value_usd, lead.product_lines) == ("won", 9000.0, [line])
    assert line in page_text(at)


def test_a_status_change_of_a_lead_that_moved_meanwhile_is_refused(atlas_db: AtlasDb) -> None:
    from core.leads.lifecycle import change_lead_status

    lead_id = new_lead(atlas_db, atlas_db.partner_a)
    at = open_app(atlas_db, PAGE, as_="partner_a")
    widget(at, "selectbox", "Open a lead").set_value(lead_id)
    at.run()  # the page shows the lead as new
    widget(at, "selectbox", "New status").set_value("lost")
    widget(at, "text_input", "Reason (required for Lost)").input("no budget")
    with session_scope(atlas_db.engine) as session:  # a colleague, in another tab, meanwhile
        change_lead_status(session=session, actor=atlas_db.accounts["partner_a"],
                           lead_id=lead_id, to_status="engaged")  # fmt: skip
    at = click(at, "Change status")
    assert_no_exception(at)
    assert any("changed meanwhile" in e.value for e in at.error), page_text(at)
    assert status(atlas_db, lead_id).status == "engaged"
    assert widget(at, "text_input", "Reason (required for Lost)").value == "no budget"
