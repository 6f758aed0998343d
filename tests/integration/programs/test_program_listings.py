"""What a vendor reads of its program and a partner of its memberships, and the consent switch.

Runs on SQLite and on PostgreSQL (the `db_engine` fixture is parametrised over both).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from core.access import PermissionDenied
from core.db import session_scope
from core.models import CERT_APPROVED, CERT_PENDING, AuditEvent, PartnerCertification
from core.programs.consent import grant_figures_consent, revoke_figures_consent
from core.programs.listing import list_members, list_partner_programs
from core.programs.rules import ProgramError
from tests.integration.programs.program_world import (
    ProgramWorld,
    X,
    Y,
    audit_fixture,
    build_program_world,
)

TODAY = date(2026, 6, 1)


@pytest.fixture
def world(db_engine: Engine) -> ProgramWorld:
    return build_program_world(db_engine)


def _certify(world: ProgramWorld, partner_id: int, key: str, *, status: str, expires: date) -> None:
    with session_scope(world.engine) as session:
        session.add(
            PartnerCertification(
                partner_id=partner_id, certification_key=key, status=status,
                obtained_on=expires - timedelta(days=700), expires_on=expires,
            )
        )  # fmt: skip
        audit_fixture(session, "certification", partner_id)


def test_vendor_lists_its_members_with_tier_status_and_whether_figures_are_shared(
    world: ProgramWorld,
) -> None:
    with Session(world.engine) as session:
        members = {m.partner_id: m for m in list_members(session, world.vendor, X, today=TODAY)}
    assert {pid: (m.status, m.tier) for pid, m in members.items()} == {
        world.a: ("active", "Select"),
        world.b: ("active", "Select"),
        world.requested: ("requested", None),
        world.ended: ("ended", "Select"),
        world.invited: ("requested", "Premier"),
    }
    # Consent was given by all but B; only an ACTIVE member's consent lets figures through.
    assert {pid for pid, m in members.items() if m.figures_shared} == {world.a}
    assert members[world.a].since is not None and members[world.requested].since is None
    assert world.stranger not in members


def test_specializations_are_the_vendors_approved_unexpired_certifications(
    world: ProgramWorld,
) -> None:
    _certify(world, world.a, "cisco-ccna", status=CERT_APPROVED, expires=TODAY)
    _certify(
        world,
        world.a,
        "cisco-ccnp-enterprise",
        status=CERT_APPROVED,
        expires=TODAY - timedelta(days=1),
    )
    _certify(
        world,
        world.b,
        "cisco-ccnp-enterprise",
        status=CERT_PENDING,
        expires=TODAY + timedelta(days=90),
    )
    microsoft = "microsoft-solutions-partner-security"
    _certify(world, world.b, microsoft, status=CERT_APPROVED, expires=TODAY + timedelta(days=90))
    with Session(world.engine) as session:
        members = {m.partner_id: m for m in list_members(session, world.admin, X, today=TODAY)}
    assert members[world.a].specializations == (
        "Cisco Certified Network Associate (CCNA)",
    )  # the expired CCNP does not count
    assert members[world.b].specializations == ()  # pending, and not Cisco's


@pytest.mark.parametrize("who", ["anonymous", "partner_a", "vendor_y"])
def test_only_the_vendor_and_administrators_list_its_members(world: ProgramWorld, who: str) -> None:
    with Session(world.engine) as session, pytest.raises(PermissionDenied):
        list_members(session, world.roles[who], X)


def test_listing_an_unknown_vendor_is_refused(world: ProgramWorld) -> None:
    with Session(world.engine) as session, pytest.raises(ProgramError, match="Unknown vendor"):
        list_members(session, world.admin, "Cisko")


def test_partner_sees_its_programs_and_a_vendor_only_its_own_row_of_them(
    world: ProgramWorld,
) -> None:
    with Session(world.engine) as session:
        own = list_partner_programs(session, world.partner_a, world.a)
        cisco_view = list_partner_programs(session, world.vendor, world.stranger)
        admin_view = list_partner_programs(session, world.admin, world.stranger)
        with pytest.raises(PermissionDenied):
            list_partner_programs(session, world.partner_b, world.a)
        with pytest.raises(PermissionDenied):
            list_partner_programs(session, None, world.a)
    assert [(p.vendor, p.status, p.figures_consent) for p in own] == [(X, "active", True)]
    assert [(p.vendor, p.status, p.figures_consent) for p in cisco_view] == [(X, None, True)]
    assert [p.vendor for p in admin_view] == [X, Y]


def test_consent_changes_are_audited_and_only_the_partner_side_may_make_them(
    world: ProgramWorld,
) -> None:
    with session_scope(world.engine) as s:
        revoke_figures_consent(session=s, actor=world.partner_a, partner_id=world.a, vendor=X)
        revoke_figures_consent(session=s, actor=world.partner_a, partner_id=world.a, vendor=X)
        grant_figures_consent(session=s, actor=world.partner_b, partner_id=world.b, vendor=X)
    for actor in (world.vendor, world.partner_b, None):
        with pytest.raises(PermissionDenied), session_scope(world.engine) as s:
            grant_figures_consent(session=s, actor=actor, partner_id=world.a, vendor=X)
    with Session(world.engine) as session:
        events = session.exec(
            select(AuditEvent).where(AuditEvent.entity_id.in_([f"{world.a}:{X}", f"{world.b}:{X}"]))  # type: ignore[attr-defined]
        ).all()
        members = {m.partner_id: m for m in list_members(session, world.vendor, X)}
    # The repeated revoke changed nothing, so it left no event.
    assert sorted((e.entity_id, e.action) for e in events) == sorted(
        [(f"{world.a}:{X}", "grant"), (f"{world.a}:{X}", "revoke"), (f"{world.b}:{X}", "grant")]
    )
    assert (members[world.a].figures_shared, members[world.b].figures_shared) == (False, True)
