"""The partner's "My programs" page (AppTest): its own programs only, applying, invitations,
the per-vendor consent switch (stored and audited), and forms that keep what was typed."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from core.db import session_scope
from core.models import (
    PROGRAM_ACTIVE,
    PROGRAM_REQUESTED,
    SIDE_PARTNER,
    AuditEvent,
    FiguresConsent,
)
from core.programs.consent import set_figures_consent
from core.programs.listing import list_partner_programs
from core.programs.memberships import invite_partner
from tests.app.conftest import AtlasDb, assert_no_exception, open_app, page_text
from tests.app.program_pages import PAGE, free_vendor, make_active, memberships
from tests.app.widgets import click, widget

CONFIRM_END = "Yes, end it: the vendor stops seeing my program data and figures."


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
