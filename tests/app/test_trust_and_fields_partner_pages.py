"""Issue 13 on the signed-in pages (AppTest): the editor's new fields, "confirmed" rather than
"verified" after the partner's save, an expired certification shown expired to its owner,
and the Approvals page's filters."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session

from core.audit import record_change
from core.db import session_scope
from core.directory.certifications import submit_certification
from core.models import CertificationInput, Partner, PartnerCertification
from tests.app.conftest import AtlasDb, assert_no_exception, open_app, page_text
from tests.app.widgets import click, widget


def stored(db: AtlasDb) -> Partner:
    with Session(db.engine) as session:
        partner = session.get(Partner, db.partner_a, populate_existing=True)
        assert partner is not None
        session.expunge(partner)
        return partner


def test_partner_edits_the_new_fields_and_its_save_is_a_confirmation(atlas_db: AtlasDb) -> None:
    at = open_app(atlas_db, "my_profile.py", as_="partner_a")
    assert_no_exception(at)
    widget(at, "multiselect", "Industries served").set_value(["legal", "healthcare"])
    widget(at, "multiselect", "Languages").set_value(["es", "en"])
    widget(at, "selectbox", "Delivery").set_value("remote")
    widget(at, "checkbox", "Accepting new clients").uncheck()
    at = click(at, "Save profile")
    assert_no_exception(at)
    assert any("Saved" in s.value for s in at.success), page_text(at)
    partner = stored(atlas_db)
    assert (partner.industries, partner.languages) == (["healthcare", "legal"], ["en", "es"])
    assert (partner.delivery, partner.accepting_new_clients) == ("remote", False)
    assert partner.confirmed_at is not None
    assert "confirmed current by you today" in page_text(at)
    # The form shows what was saved.
    assert widget(at, "selectbox", "Delivery").value == "remote"
    assert widget(at, "checkbox", "Accepting new clients").value is False


def test_owner_sees_an_expired_certification_as_expired(atlas_db: AtlasDb) -> None:
    with session_scope(atlas_db.engine) as session:
        session.add(
            PartnerCertification(
                partner_id=atlas_db.partner_a,
                certification_key="veeam-vmce",
                obtained_on=date.today() - timedelta(days=800),
                expires_on=date.today() - timedelta(days=5),
                status="approved",
            )
        )
        record_change(
            session=session,
            actor=None,
            actor_label="test",
            entity_type="certification",
            entity_id="setup",
            action="approve",
            before={},
            after={},
        )
    at = open_app(atlas_db, "my_profile.py", as_="partner_a")
    assert_no_exception(at)
    table = next(d.value for d in at.dataframe if "Status" in d.value.columns)
    veeam = table[table["Certification"].str.contains("VMCE")]
    assert list(veeam["Status"]) == ["expired"]
    assert "no longer counts as evidence" in page_text(at)


def _submit(db: AtlasDb, who: str, key: str) -> int:
    with session_scope(db.engine) as session:
        cert = submit_certification(
            session=session,
            actor=db.accounts[who],
            partner_id=db.partner_a if who == "partner_a" else db.partner_b,
            cert=CertificationInput(certification_key=key, obtained_on=date(2024, 2, 2)),
        )
    return cert.id


def test_approvals_filter_by_vendor_and_partner_and_show_an_empty_state(atlas_db: AtlasDb) -> None:
    cisco = _submit(atlas_db, "partner_a", "cisco-ccna")
    veeam = _submit(atlas_db, "partner_b", "veeam-vmce")
    at = open_app(atlas_db, "admin_approvals.py", as_="admin")
    assert_no_exception(at)
    assert {cisco, veeam} <= set(at.dataframe[0].value["Id"])
    widget(at, "selectbox", "Vendor").set_value("Veeam").run()
    ids = set(at.dataframe[0].value["Id"])
    assert veeam in ids and cisco not in ids
    widget(at, "selectbox", "Waiting").set_value(30).run()
    assert not at.dataframe
    assert any("No pending certification matches" in i.value for i in at.info)
    widget(at, "selectbox", "Waiting").set_value(0).run()
    widget(at, "selectbox", "Vendor").set_value("").run()
    name = stored(atlas_db).name
    widget(at, "text_input", "Partner").input(name[:5]).run()
    ids = set(at.dataframe[0].value["Id"])
    assert cisco in ids
    # The review still works from the filtered list.
    widget(at, "selectbox", "Certification to review").set_value(cisco)
    at = click(at, "Approve")
    assert_no_exception(at)
    with Session(atlas_db.engine) as session:
        row = session.get(PartnerCertification, cisco)
    assert row is not None and row.status == "approved"
