"""Administration screens (AppTest): accounts, approvals, audit trail, import and export."""

from __future__ import annotations

import io
from datetime import date

from sqlmodel import Session, select

from core.db import session_scope
from core.directory.certifications import submit_certification
from core.directory.profiles import load_profile_for_edit, save_profile
from core.interchange.export import export_partners_csv
from core.models import Account, CertificationInput, Partner, PartnerCertification, PartnerUpdate
from core.taxonomy import get_taxonomy
from tests.app.conftest import AtlasDb, assert_no_exception, open_app, page_text
from tests.app.widgets import click, widget

HOSTILE = "<script>alert('x')</script> **b** [l](javascript:x) \\ `t` ${x} 日本語 🚀"


# --- accounts ----------------------------------------------------------------------------------


def test_admin_creates_a_partner_account_and_can_deactivate_it(atlas_db: AtlasDb) -> None:
    at = open_app(atlas_db, "admin_accounts.py", as_="admin")
    assert_no_exception(at)
    assert {"admin", "cisco", "partner1", "partner2"} <= set(at.dataframe[0].value["Username"])
    widget(at, "text_input", "Username").input("newpartner")
    widget(at, "selectbox", "Role").set_value("partner")
    widget(at, "text_input", "Initial password").input("a long enough password")
    widget(at, "number_input", "Partner id").set_value(atlas_db.partner_b)
    at = click(at, "Create account")
    assert_no_exception(at)
    assert any("newpartner created" in s.value for s in at.success), page_text(at)
    with Session(atlas_db.engine) as session:
        row = session.exec(select(Account).where(Account.username == "newpartner")).one()
    assert row.role == "partner" and row.partner_id == atlas_db.partner_b

    widget(at, "selectbox", "Account").set_value(row.id)
    at = click(at.run(), "Deactivate")
    assert_no_exception(at)
    with Session(atlas_db.engine) as session:
        assert session.get(Account, row.id).is_active is False  # type: ignore[union-attr]


def test_hostile_display_name_is_shown_as_plain_text(atlas_db: AtlasDb) -> None:
    at = open_app(atlas_db, "admin_accounts.py", as_="admin")
    widget(at, "text_input", "Username").input("hostile.name")
    at.text_input(key="new_display").input(HOSTILE)
    widget(at, "text_input", "Initial password").input("a long enough password")
    at = click(at, "Create account")
    assert_no_exception(at)
    table = at.dataframe[0].value
    assert list(table[table["Username"] == "hostile.name"]["Name"]) == [HOSTILE]
    rendered = [m.value for m in at.markdown] + [s.value for s in at.success]
    assert not [m for m in rendered if "<script>" in m]


def test_account_form_reports_what_is_missing(atlas_db: AtlasDb) -> None:
    at = open_app(atlas_db, "admin_accounts.py", as_="admin")
    widget(at, "text_input", "Username").input("vendorless")
    widget(at, "selectbox", "Role").set_value("vendor")
    widget(at, "text_input", "Initial password").input("a long enough password")
    at = click(at, "Create account")
    assert_no_exception(at)
    assert any("vendor name" in e.value for e in at.error)
    with Session(atlas_db.engine) as session:
        assert session.exec(select(Account).where(Account.username == "vendorless")).first() is None


def test_a_refusal_keeps_what_was_typed_and_a_success_message_shows_once(
    atlas_db: AtlasDb,
) -> None:
    at = open_app(atlas_db, "admin_accounts.py", as_="admin")
    widget(at, "text_input", "Username").input("vendorless")
    widget(at, "selectbox", "Role").set_value("vendor")
    widget(at, "text_input", "Initial password").input("a long enough password")
    at = click(at, "Create account")
    assert any("vendor name" in e.value for e in at.error)
    assert widget(at, "text_input", "Username").value == "vendorless"  # nothing reran
    at.text_input(key="new_vendor").input("Acme")
    at.multiselect(key="new_regions").select(get_taxonomy().regions[0].key)
    at = click(at, "Create account")
    assert_no_exception(at)
    assert [s.value for s in at.success] == ["Account vendorless created."]
    assert not at.error
    at.run()
    assert not at.success  # the message belongs to the rerun after the save, not later ones


# --- approvals ---------------------------------------------------------------------------------


def test_admin_approves_a_pending_certification(atlas_db: AtlasDb) -> None:
    with session_scope(atlas_db.engine) as session:
        cert = submit_certification(
            session=session,
            actor=atlas_db.accounts["partner_a"],
            partner_id=atlas_db.partner_a,
            cert=CertificationInput(certification_key="aws-saa", obtained_on=date(2024, 2, 2)),
        )
    at = open_app(atlas_db, "admin_approvals.py", as_="admin")
    assert_no_exception(at)
    assert cert.id in set(at.dataframe[0].value["Id"])
    widget(at, "selectbox", "Certification to review").set_value(cert.id)
    widget(at, "text_input", "Note to the partner (optional)").input("Checked the transcript")
    at = click(at, "Approve")
    assert_no_exception(at)
    assert any("approved" in s.value for s in at.success)
    with Session(atlas_db.engine) as session:
        row = session.get(PartnerCertification, cert.id)
    assert row is not None and row.status == "approved"


# --- audit trail -------------------------------------------------------------------------------


def test_audit_trail_filters_and_shows_before_and_after_as_plain_text(atlas_db: AtlasDb) -> None:
    partner_a = atlas_db.accounts["partner_a"]
    with session_scope(atlas_db.engine) as session:
        profile = load_profile_for_edit(
            session=session, actor=partner_a, partner_id=atlas_db.partner_a
        )
        save_profile(
            session=session,
            actor=partner_a,
            partner_id=atlas_db.partner_a,
            expected_version=profile.version,
            changes=PartnerUpdate(description=HOSTILE),
        )
    at = open_app(atlas_db, "admin_audit.py", as_="admin")
    assert_no_exception(at)
    widget(at, "selectbox", "What").set_value("partner")
    widget(at, "text_input", "Who (part of a username)").input("partner1")
    at.run()
    assert_no_exception(at)
    events = at.dataframe[0].value
    assert set(events["Who"]) == {"partner1"} and set(events["What"]) == {"partner"}
    changes = at.dataframe[1].value
    row = changes[changes["Field"] == "description"].iloc[0]
    assert row["After"] == HOSTILE
    rendered = [m.value for m in at.markdown] + [c.value for c in at.caption]
    assert not [m for m in rendered if "<script>" in m]

    widget(at, "text_input", "Containing text").input("no such text anywhere 123")
    at.run()
    assert any("No audit events" in i.value for i in at.info)


# --- import and export -------------------------------------------------------------------------


def export_bytes(db: AtlasDb) -> str:
    buffer = io.StringIO()
    export_partners_csv(engine=db.engine, path_or_buffer=buffer)
    return buffer.getvalue()


def test_rejected_import_leaves_the_database_exactly_as_it_was(atlas_db: AtlasDb) -> None:
    at = open_app(atlas_db, "admin_data.py", as_="admin")
    assert_no_exception(at)
    at = click(at, "Prepare the export")
    before_page = at.session_state["export_file"][0]
    before = export_bytes(atlas_db)
    assert before_page.decode("utf-8") == before
    header = before.splitlines()[0]
    good = before.splitlines()[1].replace(before.splitlines()[1].split(",")[0], "", 1)
    bad_csv = "\n".join(
        [header, good, "," + ",".join(["Bad Zip Partner", "", "", "", "", "00000"])]
    )
    at.file_uploader[0].set_value(("partners.csv", bad_csv.encode("utf-8"), "text/csv"))
    widget(at, "radio", "Mode").set_value("all_or_nothing")
    at = click(at, "Import")
    assert_no_exception(at)
    assert any("Nothing was imported" in e.value for e in at.error), page_text(at)
    report = at.dataframe[0].value
    assert list(report.columns) == ["Line", "Column", "Problem"]
    assert 3 in set(report["Line"])
    assert export_bytes(atlas_db) == before
    at = click(at, "Prepare the export")
    assert at.session_state["export_file"][0] == before_page


def test_valid_rows_only_imports_the_good_rows_with_progress(atlas_db: AtlasDb) -> None:
    with Session(atlas_db.engine) as session:
        count = len(session.exec(select(Partner.id)).all())
    header = export_bytes(atlas_db).splitlines()[0].split(",")
    row = dict.fromkeys(header, "")
    row |= {"name": "Fresh Import Partner", "hq_zip": "78701"}
    bad = row | {"name": "Broken Partner", "hq_zip": "00000"}
    lines = [",".join(header), ",".join(row[c] for c in header), ",".join(bad[c] for c in header)]
    at = open_app(atlas_db, "admin_data.py", as_="admin")
    at.file_uploader[0].set_value(("p.csv", "\n".join(lines).encode("utf-8"), "text/csv"))
    widget(at, "radio", "Mode").set_value("valid_rows_only")
    at = click(at, "Import")
    assert_no_exception(at)
    assert any("Imported 1 of 2" in w.value for w in at.warning), page_text(at)
    assert set(at.dataframe[0].value["Line"]) == {3}
    with Session(atlas_db.engine) as session:
        names = set(session.exec(select(Partner.name)).all())
        assert len(session.exec(select(Partner.id)).all()) == count + 1
    assert "Fresh Import Partner" in names and "Broken Partner" not in names
