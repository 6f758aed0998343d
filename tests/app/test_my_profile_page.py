"""The partner's profile editor (AppTest): save, field errors, two editors, hostile text."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, select

from core.db import session_scope
from core.directory.profiles import load_profile_for_edit, save_profile
from core.models import AccountPublic, Partner, PartnerCertification, PartnerUpdate
from tests.app.conftest import AtlasDb, assert_no_exception, open_app, page_text
from tests.app.widgets import click, widget

PAGE = "my_profile.py"
HOSTILE = (
    "<script>alert('x')</script> <img src=x onerror=alert(1)> **bold** [a](javascript:x) "
    "\"dq\" 'sq' back\\slash `tick` ${tpl} Ünïcödé 日本語 العربية עברית 🚀"
)


def stored(db: AtlasDb) -> Partner:
    with Session(db.engine) as session:
        partner = session.get(Partner, db.partner_a, populate_existing=True)
        assert partner is not None
        session.expunge(partner)
        return partner


def test_partner_saves_its_profile(atlas_db: AtlasDb) -> None:
    at = open_app(atlas_db, PAGE, as_="partner_a")
    assert_no_exception(at)
    version = stored(atlas_db).version
    widget(at, "text_area", "Description").input("We run networks for small offices.")
    widget(at, "text_input", "Website").input("https://example.org/atlas")
    widget(at, "selectbox", "Security").set_value(3)
    at = click(at, "Save profile")
    assert_no_exception(at)
    assert any("Saved" in s.value for s in at.success), page_text(at)
    partner = stored(atlas_db)
    assert partner.description == "We run networks for small offices."
    assert partner.website == "https://example.org/atlas"
    assert partner.version == version + 1
    # The form now shows the saved values at the new version.
    assert widget(at, "text_input", "Website").value == "https://example.org/atlas"


def test_the_service_radius_shows_decimals_only_when_not_whole(atlas_db: AtlasDb) -> None:
    at = open_app(atlas_db, PAGE, as_="partner_a")
    assert_no_exception(at)
    radius = widget(at, "number_input", "Service radius (km)")
    assert radius.proto.format == "%g"  # "150", "12.5"; Streamlit's default shows "150.00"


def test_bad_fields_are_reported_next_to_the_fields_and_nothing_is_saved(
    atlas_db: AtlasDb,
) -> None:
    before = stored(atlas_db)
    at = open_app(atlas_db, PAGE, as_="partner_a")
    widget(at, "text_input", "Website").input("javascript:alert(1)")
    widget(at, "text_area", "Locations (ZIP codes)").input("00000")
    widget(at, "text_input", "Email").input("not an email")
    at = click(at, "Save profile")
    assert_no_exception(at)
    errors = " ".join(e.value for e in at.error)
    assert "Website" in errors and "http" in errors
    assert "Unknown ZIP" in errors
    assert "Email" in errors
    # The user's input survives, so it can be corrected.
    assert widget(at, "text_input", "Website").value == "javascript:alert(1)"
    after = stored(atlas_db)
    assert (after.version, after.website, after.email) == (
        before.version,
        before.website,
        before.email,
    )


def save_elsewhere(db: AtlasDb, actor: AccountPublic, **changes: Any) -> None:
    with session_scope(db.engine) as session:
        profile = load_profile_for_edit(session=session, actor=actor, partner_id=db.partner_a)
        save_profile(
            session=session,
            actor=actor,
            partner_id=db.partner_a,
            expected_version=profile.version,
            changes=PartnerUpdate(**changes),
        )


def test_second_editor_is_told_what_changed_and_can_keep_its_edits(atlas_db: AtlasDb) -> None:
    at = open_app(atlas_db, PAGE, as_="partner_a")
    widget(at, "text_input", "Phone").input("+1 512 555 0199")
    # Meanwhile a colleague saves another description from another browser.
    save_elsewhere(atlas_db, atlas_db.accounts["partner_a"], description="Colleague's words")
    at = click(at, "Save profile")
    assert_no_exception(at)
    assert any("changed by someone else" in e.value for e in at.error)
    table = at.dataframe[0].value
    assert list(table.columns) == [
        "Field",
        "When you opened it",
        "Your value",
        "Saved meanwhile (current)",
    ]
    assert table.loc[0, "Field"] == "Description"
    assert table.loc[0, "Saved meanwhile (current)"] == "Colleague's words"
    assert stored(atlas_db).description == "Colleague's words"
    assert stored(atlas_db).phone != "+1 512 555 0199"

    at = click(at, "Load the current profile and keep my other edits")
    assert_no_exception(at)
    assert widget(at, "text_area", "Description").value == "Colleague's words"
    assert widget(at, "text_input", "Phone").value == "+1 512 555 0199"
    at = click(at, "Save profile")
    assert_no_exception(at)
    partner = stored(atlas_db)
    assert (partner.description, partner.phone) == ("Colleague's words", "+1 512 555 0199")


def test_an_untouched_editor_shows_a_newer_save_without_a_conflict(atlas_db: AtlasDb) -> None:
    at = open_app(atlas_db, PAGE, as_="partner_a")
    save_elsewhere(atlas_db, atlas_db.accounts["admin"], description="Saved by the admin")
    at.run()
    assert_no_exception(at)
    assert widget(at, "text_area", "Description").value == "Saved by the admin"
    at = click(at, "Save profile")
    assert not [e.value for e in at.error if "someone else" in e.value]


def test_confirming_a_profile_that_changed_meanwhile_is_a_conflict(atlas_db: AtlasDb) -> None:
    at = open_app(atlas_db, PAGE, as_="partner_a")
    save_elsewhere(atlas_db, atlas_db.accounts["admin"], description="Saved by the admin")
    at = click(at, "Save profile")  # no edits: the partner confirms what it was shown
    assert any("someone else" in e.value for e in at.error)
    assert stored(atlas_db).description == "Saved by the admin"


def test_discarding_after_a_conflict_loads_the_current_profile(atlas_db: AtlasDb) -> None:
    at = open_app(atlas_db, PAGE, as_="partner_a")
    widget(at, "text_area", "Description").input("My version")
    save_elsewhere(atlas_db, atlas_db.accounts["admin"], description="Admin's version")
    at = click(at, "Save profile")
    at = click(at, "Discard my edits and load the current profile")
    assert_no_exception(at)
    assert widget(at, "text_area", "Description").value == "Admin's version"
    assert not at.dataframe or "Field" not in at.dataframe[0].value.columns


@pytest.mark.parametrize(
    "field", ["Company name", "Description", "Insurance: delivered with ally (optional)"]
)
def test_hostile_text_is_saved_and_shown_back_as_plain_text(atlas_db: AtlasDb, field: str) -> None:
    value = HOSTILE[:120] if field != "Description" else (HOSTILE + "\n") * 10
    at = open_app(atlas_db, PAGE, as_="partner_a")
    kind = "text_area" if field == "Description" else "text_input"
    widget(at, kind, field).input(value)
    at = click(at, "Save profile")
    assert_no_exception(at)
    assert any("Saved" in s.value for s in at.success), page_text(at)
    # Shown back exactly, in a plain text widget, after a fresh start of the page too.
    for shown in (at, open_app(atlas_db, PAGE, as_="partner_a")):
        assert widget(shown, kind, field).value == value.strip()
        rendered = [m.value for m in shown.markdown] + [c.value for c in shown.caption]
        assert not [m for m in rendered if "<script>" in m or "onerror" in m]


def test_hostile_text_is_rejected_where_the_format_is_strict(atlas_db: AtlasDb) -> None:
    at = open_app(atlas_db, PAGE, as_="partner_a")
    for label in ("Website", "Email", "Phone"):
        widget(at, "text_input", label).input(HOSTILE[:100])
    at = click(at, "Save profile")
    assert_no_exception(at)
    errors = " ".join(e.value for e in at.error)
    assert all(label in errors for label in ("Website", "Email", "Phone"))
    assert "<script>" not in errors  # messages never echo the input


def test_certification_goes_to_the_approval_queue(atlas_db: AtlasDb) -> None:
    from datetime import date

    at = open_app(atlas_db, PAGE, as_="partner_a")
    widget(at, "selectbox", "Certification").set_value("veeam-vmce")
    widget(at, "date_input", "Obtained on").set_value(date(2024, 6, 1))
    at = click(at, "Submit for approval")
    assert_no_exception(at)
    assert any("waits for approval" in s.value for s in at.success)
    with Session(atlas_db.engine) as session:
        rows = session.exec(
            select(PartnerCertification).where(
                PartnerCertification.partner_id == atlas_db.partner_a,
                PartnerCertification.certification_key == "veeam-vmce",
                PartnerCertification.status == "pending",
            )
        ).all()
    assert len(rows) == 1


def test_withdrawing_a_certification_starts_empty_and_needs_a_confirmation(
    atlas_db: AtlasDb,
) -> None:
    from datetime import date

    from core.directory.certifications import submit_certification
    from core.models import CertificationInput

    def live() -> set[int]:
        with Session(atlas_db.engine) as session:
            rows = session.exec(
                select(PartnerCertification).where(
                    PartnerCertification.partner_id == atlas_db.partner_a
                )
            ).all()
        return {row.id for row in rows if row.id is not None}

    with session_scope(atlas_db.engine) as session:
        submit_certification(
            session=session,
            actor=atlas_db.accounts["partner_a"],
            partner_id=atlas_db.partner_a,
            cert=CertificationInput(
                certification_key="veeam-vmce", obtained_on=date(2024, 6, 1), expires_on=None
            ),
        )
    before = live()
    assert before
    at = open_app(atlas_db, PAGE, as_="partner_a")
    assert_no_exception(at)
    picker = widget(at, "selectbox", "Withdraw a certification")
    assert picker.value is None  # nothing preselected
    assert picker.proto.placeholder == "Choose a certification"
    assert widget(at, "checkbox", "Yes, withdraw it").value is False

    at = click(at, "Withdraw")  # nothing chosen: nothing withdrawn
    assert_no_exception(at)
    assert live() == before
    assert any("Choose the certification" in e.value for e in at.error), page_text(at)

    target = next(iter(before))
    widget(at, "selectbox", "Withdraw a certification").set_value(target)
    at = click(at, "Withdraw")  # chosen but not confirmed: nothing withdrawn
    assert_no_exception(at)
    assert live() == before
    assert any("Yes, withdraw it" in w.value for w in at.warning), page_text(at)

    widget(at, "selectbox", "Withdraw a certification").set_value(target)
    widget(at, "checkbox", "Yes, withdraw it").check()
    at = click(at, "Withdraw")
    assert_no_exception(at)
    assert live() == before - {target}
    assert any("Withdrawn" in s.value for s in at.success), page_text(at)
    if before - {target}:  # the form starts over: nothing chosen, nothing confirmed
        assert widget(at, "selectbox", "Withdraw a certification").value is None
        assert widget(at, "checkbox", "Yes, withdraw it").value is False
