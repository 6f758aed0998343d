"""Deal registration in core: a partner registers, the vendor sees conflicts and approves
(with protection) or denies, the partner withdraws; compare-and-swap and one audit event per
change. Runs on SQLite and PostgreSQL (`db_engine`)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from core.access import PermissionDenied
from core.db import session_scope
from core.models import AccountPublic, AuditEvent, DealRegistration, DealRegistrationPublic
from core.programs.deals import (
    approve_deal,
    deal_conflicts,
    deny_deal,
    list_deals,
    register_deal,
    withdraw_deal,
)
from core.programs.rules import ProgramError, StaleVersion
from tests.integration.programs.program_world import (
    ProgramWorld,
    X,
    audit_fixture,
    build_program_world,
)

CUSTOMER = "ACME, Inc."


@pytest.fixture
def world(db_engine: Engine) -> ProgramWorld:
    return build_program_world(db_engine)


def deal(partner_id: int, **changes: Any) -> dict[str, Any]:
    return {
        "partner_id": partner_id,
        "vendor": X,
        "customer_company": CUSTOMER,
        "zip_code": "78701",
        "product_lines": ["Networking", "Security"],
        "value_usd": 25_000,
        "expected_close_on": date.today() + timedelta(days=60),
        **changes,
    }


def register(world: ProgramWorld, actor: AccountPublic, partner_id: int, **changes: Any):  # type: ignore[no-untyped-def]
    with session_scope(world.engine) as s:
        return register_deal(session=s, actor=actor, data=deal(partner_id, **changes))


def approve(world: ProgramWorld, row: DealRegistrationPublic, **kw: Any) -> DealRegistrationPublic:
    with session_scope(world.engine) as s:
        return approve_deal(
            session=s, actor=world.vendor, deal_id=row.id, seen_version=row.version, **kw
        )


def actions(engine: Engine) -> list[str]:
    with Session(engine) as session:
        rows = session.exec(
            select(AuditEvent.action)
            .where(AuditEvent.entity_type == "deal_registration")
            .order_by(col(AuditEvent.id))
        )
        return list(rows.all())


def test_a_member_registers_and_the_vendor_approves_with_default_protection(
    world: ProgramWorld,
) -> None:
    row = register(world, world.partner_a, world.a)
    assert (row.status, row.customer_key, row.version) == ("pending", "acme", 1)
    assert row.product_lines == ["Networking", "Security"]
    approved = approve(world, row, note="Go ahead")
    assert approved.status == "approved" and approved.version == 2
    assert approved.protected_until == date.today() + timedelta(days=90)
    assert approved.decision_note == "Go ahead" and approved.decided_at is not None
    assert actions(world.engine) == ["register", "approve"]


def test_protection_days_can_be_chosen_within_limits(world: ProgramWorld) -> None:
    row = register(world, world.partner_a, world.a)
    with pytest.raises(ProgramError, match="1 to 730 days"):
        approve(world, row, protection_days=0)
    assert approve(world, row, protection_days=30).protected_until == date.today() + timedelta(
        days=30
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"expected_close_on": date.today() - timedelta(days=1)}, "in the past"),
        ({"product_lines": ["Webex Teams"]}, "no product line 'Webex Teams'"),
        ({"product_lines": []}, "Product lines"),
        ({"zip_code": "7870"}, "5 digits"),
        ({"zip_code": "00000"}, "Unknown ZIP code"),
        ({"customer_company": "!!"}, "letters or digits"),
        ({"value_usd": 0}, "Value usd"),
    ],
)
def test_bad_registrations_are_refused_with_a_sentence(
    world: ProgramWorld, changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(ProgramError, match=message):
        register(world, world.partner_a, world.a, **changes)
    assert actions(world.engine) == []


@pytest.mark.parametrize("situation", ["requested", "invited", "ended", "non_member"])
def test_only_active_members_register_deals(world: ProgramWorld, situation: str) -> None:
    pid = world.by_situation[situation]
    with pytest.raises(ProgramError, match="Only active members of the Cisco program"):
        register(world, world.admin, pid)


def test_nobody_registers_for_another_partner_or_decides_for_another_vendor(
    world: ProgramWorld,
) -> None:
    with pytest.raises(PermissionDenied):
        register(world, world.partner_b, world.a)
    with pytest.raises(PermissionDenied):
        register(world, world.vendor, world.a)
    row = register(world, world.partner_a, world.a)
    for actor in (world.vendor_y, world.partner_a, None):
        with pytest.raises(PermissionDenied), session_scope(world.engine) as s:
            approve_deal(session=s, actor=actor, deal_id=row.id, seen_version=1)
        with pytest.raises(PermissionDenied), session_scope(world.engine) as s:
            deal_conflicts(session=s, actor=actor, deal_id=row.id)
    with pytest.raises(PermissionDenied), session_scope(world.engine) as s:
        withdraw_deal(session=s, actor=world.partner_b, deal_id=row.id, seen_version=1)
    assert actions(world.engine) == ["register"]


def test_registering_the_same_customer_again_is_refused_while_yours_counts(
    world: ProgramWorld,
) -> None:
    row = register(world, world.partner_a, world.a)
    with pytest.raises(ProgramError, match=r"already registered ACME, Inc\. \(78701\).*pending"):
        register(world, world.partner_a, world.a, customer_company="Acme")
    approved = approve(world, row)
    with pytest.raises(ProgramError, match=f"protects you until {approved.protected_until}"):
        register(world, world.partner_a, world.a, customer_company="acme corp")
    # Another ZIP is another customer site.
    assert register(world, world.partner_a, world.a, zip_code="10001").status == "pending"


def test_the_vendor_sees_other_partners_pending_and_protecting_registrations(
    world: ProgramWorld,
) -> None:
    first = register(world, world.partner_a, world.a)
    second = register(world, world.partner_b, world.b, customer_company="Acme Corporation")
    with session_scope(world.engine) as s:
        shown = deal_conflicts(session=s, actor=world.vendor, deal_id=second.id)
    assert [(c.deal_id, c.partner_id, c.status) for c in shown] == [(first.id, world.a, "pending")]
    assert shown[0].partner_name == "Alpha IT" and shown[0].value_usd == 25_000
    # A pending conflict is only shown: the vendor decides, and may approve the second one.
    approved = approve(world, second)
    with session_scope(world.engine) as s:
        shown = deal_conflicts(session=s, actor=world.admin, deal_id=first.id)
    assert [(c.deal_id, c.status, c.protected_until) for c in shown] == [
        (second.id, "approved", approved.protected_until)
    ]


def test_approving_over_another_partners_protection_is_refused_naming_it(
    world: ProgramWorld,
) -> None:
    first = register(world, world.partner_a, world.a)
    second = register(world, world.partner_b, world.b)
    protected = approve(world, first)
    with pytest.raises(ProgramError, match=f"protects Alpha IT until {protected.protected_until}"):
        approve(world, second)
    with session_scope(world.engine) as s:
        denied = deny_deal(
            session=s, actor=world.vendor, deal_id=second.id, seen_version=1, note="Alpha has it"
        )
    assert (denied.status, denied.decision_note) == ("denied", "Alpha has it")
    assert actions(world.engine) == ["register", "register", "approve", "deny"]


def test_an_expired_protection_is_no_conflict_any_more(world: ProgramWorld) -> None:
    first = approve(world, register(world, world.partner_a, world.a))
    with session_scope(world.engine) as s:
        s.execute(
            update(DealRegistration)
            .where(col(DealRegistration.id) == first.id)
            .values(protected_until=date.today() - timedelta(days=1))
        )
        audit_fixture(s, "deal_registration", first.id)
    second = register(world, world.partner_b, world.b)
    with session_scope(world.engine) as s:
        assert deal_conflicts(session=s, actor=world.vendor, deal_id=second.id) == []
    assert approve(world, second).status == "approved"
    # And the first partner may register that customer again.
    assert register(world, world.partner_a, world.a).status == "pending"


def test_deny_needs_a_note_and_only_pending_registrations_are_decided(
    world: ProgramWorld,
) -> None:
    row = register(world, world.partner_a, world.a)
    with pytest.raises(ProgramError, match="needs a note"), session_scope(world.engine) as s:
        deny_deal(session=s, actor=world.vendor, deal_id=row.id, seen_version=1, note="  ")
    with session_scope(world.engine) as s:
        gone = withdraw_deal(session=s, actor=world.partner_a, deal_id=row.id, seen_version=1)
    assert gone.status == "withdrawn"
    with pytest.raises(ProgramError, match="withdrawn cannot be approved"):
        approve(world, gone)
    with (
        pytest.raises(ProgramError, match="withdrawn cannot be withdrawn"),
        session_scope(world.engine) as s,
    ):
        withdraw_deal(session=s, actor=world.partner_a, deal_id=row.id, seen_version=2)


def test_a_stale_version_is_refused_and_changes_nothing(world: ProgramWorld) -> None:
    row = register(world, world.partner_a, world.a)
    approve(world, row)
    with (
        pytest.raises(StaleVersion, match="deal registration was changed meanwhile"),
        session_scope(world.engine) as s,
    ):
        deny_deal(session=s, actor=world.vendor, deal_id=row.id, seen_version=1, note="No")
    assert actions(world.engine) == ["register", "approve"]


def test_each_side_lists_only_its_own_registrations(world: ProgramWorld) -> None:
    a = register(world, world.partner_a, world.a)
    b = register(world, world.partner_b, world.b, customer_company="Other Co")
    with session_scope(world.engine) as s:
        assert [d.id for d in list_deals(session=s, actor=world.partner_a)] == [a.id]
        assert {d.id for d in list_deals(session=s, actor=world.vendor)} == {a.id, b.id}
        assert list_deals(session=s, actor=world.vendor_y) == []
        assert [d.id for d in list_deals(session=s, actor=world.admin, partner_id=world.b)] == [
            b.id
        ]
        with pytest.raises(PermissionDenied):
            list_deals(session=s, actor=world.partner_a, partner_id=world.b)
        with pytest.raises(PermissionDenied):
            list_deals(session=s, actor=world.vendor, vendor="Microsoft")
        with pytest.raises(PermissionDenied):
            list_deals(session=s, actor=None)
