"""Program memberships in core: who may do what, which transitions exist, compare-and-swap
on the version the user saw, and one audit event per change.

Runs on SQLite and on PostgreSQL (the `db_engine` fixture is parametrised over both).
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from core.access import PermissionDenied
from core.db import session_scope
from core.models import AuditEvent, ProgramMembership
from core.programs.answers import (
    accept_invitation,
    approve_request,
    change_tier,
    decline_membership,
    end_membership,
)
from core.programs.memberships import invite_partner, request_membership
from core.programs.rules import ProgramError, StaleVersion
from tests.integration.worlds import World, build_world, in_austin


@pytest.fixture
def world(db_engine: Engine) -> World:
    return build_world(db_engine, [in_austin("Alpha IT"), in_austin("Beta IT")])


def _audit_actions(engine: Engine) -> list[str]:
    with Session(engine) as session:
        rows = session.exec(
            select(AuditEvent.action)
            .where(AuditEvent.entity_type == "program_membership")
            .order_by(AuditEvent.id)  # type: ignore[arg-type]
        )
        return list(rows.all())


def _row(engine: Engine, membership_id: int) -> ProgramMembership:
    with Session(engine) as session:
        row = session.get(ProgramMembership, membership_id)
        assert row is not None
        return ProgramMembership.model_validate(row.model_dump())


def test_partner_applies_and_the_vendor_admits_it_at_one_of_its_tiers(world: World) -> None:
    with session_scope(world.engine) as s:
        asked = request_membership(
            session=s, actor=world.partner_a, partner_id=world.a, vendor="Cisco"
        )
    assert (asked.status, asked.requested_by, asked.tier, asked.version) == (
        "requested", "partner", None, 1,
    )  # fmt: skip
    with session_scope(world.engine) as s:
        active = approve_request(
            session=s, actor=world.vendor, membership_id=asked.id, seen_version=1, tier="Premier"
        )
    assert (active.status, active.tier, active.version) == ("active", "Premier", 2)
    assert active.since is not None and active.ended_on is None
    assert _audit_actions(world.engine) == ["request", "approve"]


def test_vendor_invites_and_the_partner_accepts_at_the_offered_tier(world: World) -> None:
    with session_scope(world.engine) as s:
        invite = invite_partner(
            session=s, actor=world.vendor, partner_id=world.b, vendor="Cisco", tier="Select"
        )
    with session_scope(world.engine) as s:
        joined = accept_invitation(
            session=s, actor=world.partner_b, membership_id=invite.id, seen_version=invite.version
        )
    assert (joined.status, joined.tier, joined.requested_by) == ("active", "Select", "vendor")
    assert _audit_actions(world.engine) == ["invite", "accept"]


def test_only_the_side_that_was_asked_answers(world: World) -> None:
    with session_scope(world.engine) as s:
        asked = request_membership(
            session=s, actor=world.partner_a, partner_id=world.a, vendor="Cisco"
        )
        invite = invite_partner(session=s, actor=world.vendor, partner_id=world.b, vendor="Cisco")
    with pytest.raises(ProgramError, match="vendor answers"), session_scope(world.engine) as s:
        accept_invitation(session=s, actor=world.partner_a, membership_id=asked.id, seen_version=1)
    with pytest.raises(ProgramError, match="partner answers"), session_scope(world.engine) as s:
        approve_request(
            session=s, actor=world.vendor, membership_id=invite.id, seen_version=1, tier="Gold"
        )
    with session_scope(world.engine) as s:
        declined = decline_membership(
            session=s, actor=world.partner_b, membership_id=invite.id, seen_version=1
        )
    assert (declined.status, declined.ended_on is not None) == ("declined", True)


@pytest.mark.parametrize("who", ["anonymous", "partner_b", "vendor_of_another_vendor"])
def test_nobody_else_acts_for_a_partner_or_a_vendor(world: World, who: str) -> None:
    with session_scope(world.engine) as s:
        asked = request_membership(
            session=s, actor=world.partner_a, partner_id=world.a, vendor="Cisco"
        )
    actor = {
        "anonymous": None,
        "partner_b": world.partner_b,
        # The cast's Cisco vendor trying to act in Microsoft's program.
        "vendor_of_another_vendor": world.vendor,
    }[who]
    with pytest.raises(PermissionDenied), session_scope(world.engine) as s:
        request_membership(session=s, actor=actor, partner_id=world.a, vendor="Microsoft")
    if who != "vendor_of_another_vendor":
        with pytest.raises(PermissionDenied), session_scope(world.engine) as s:
            approve_request(
                session=s, actor=actor, membership_id=asked.id, seen_version=1, tier="Gold"
            )
    assert _row(world.engine, asked.id).status == "requested"
    assert _audit_actions(world.engine) == ["request"]


def test_a_stale_version_is_refused_and_changes_nothing(world: World) -> None:
    with session_scope(world.engine) as s:
        asked = request_membership(
            session=s, actor=world.partner_a, partner_id=world.a, vendor="Cisco"
        )
        approve_request(
            session=s, actor=world.vendor, membership_id=asked.id, seen_version=1, tier="Select"
        )
    # A second vendor user still looks at the request (version 1) and picks another tier.
    with pytest.raises(StaleVersion, match="changed meanwhile"), session_scope(world.engine) as s:
        approve_request(
            session=s, actor=world.vendor, membership_id=asked.id, seen_version=1, tier="Gold"
        )
    with pytest.raises(StaleVersion), session_scope(world.engine) as s:
        change_tier(
            session=s, actor=world.vendor, membership_id=asked.id, seen_version=1, tier="Gold"
        )
    row = _row(world.engine, asked.id)
    assert (row.tier, row.version) == ("Select", 2)
    assert _audit_actions(world.engine) == ["request", "approve"]


def test_vendor_changes_the_tier_of_an_active_member_only_to_one_of_its_tiers(world: World) -> None:
    with session_scope(world.engine) as s:
        m = invite_partner(session=s, actor=world.vendor, partner_id=world.a, vendor="Cisco")
    with (
        pytest.raises(ProgramError, match="cannot be given another tier"),
        session_scope(world.engine) as s,
    ):
        change_tier(session=s, actor=world.vendor, membership_id=m.id, seen_version=1, tier="Gold")
    with session_scope(world.engine) as s:
        m = accept_invitation(session=s, actor=world.partner_a, membership_id=m.id, seen_version=1)
    assert m.tier == "Registered"  # no tier offered: the vendor's entry tier
    with (
        pytest.raises(ProgramError, match="no tier 'Solutions Partner'"),
        session_scope(world.engine) as s,
    ):
        change_tier(
            session=s, actor=world.vendor, membership_id=m.id, seen_version=m.version,
            tier="Solutions Partner",
        )  # fmt: skip
    with session_scope(world.engine) as s:
        m = change_tier(
            session=s, actor=world.vendor, membership_id=m.id, seen_version=m.version, tier="Gold"
        )
    assert (m.tier, m.version) == ("Gold", 3)


def test_either_side_ends_and_the_partner_may_apply_again_on_the_same_row(world: World) -> None:
    with session_scope(world.engine) as s:
        m = invite_partner(session=s, actor=world.vendor, partner_id=world.a, vendor="Cisco")
        m = accept_invitation(session=s, actor=world.partner_a, membership_id=m.id, seen_version=1)
        m = end_membership(session=s, actor=world.partner_a, membership_id=m.id, seen_version=2)
    assert (m.status, m.ended_on is not None, m.since is not None) == ("ended", True, True)
    with (
        pytest.raises(ProgramError, match="ended cannot be ended"),
        session_scope(world.engine) as s,
    ):
        end_membership(session=s, actor=world.vendor, membership_id=m.id, seen_version=3)
    with pytest.raises(StaleVersion), session_scope(world.engine) as s:  # it saw no membership
        request_membership(session=s, actor=world.partner_a, partner_id=world.a, vendor="Cisco")
    with session_scope(world.engine) as s:
        again = request_membership(
            session=s, actor=world.partner_a, partner_id=world.a, vendor="Cisco", seen_version=3
        )
    assert (again.id, again.status, again.since, again.ended_on) == (m.id, "requested", None, None)
    with Session(world.engine) as session:
        assert session.exec(select(func.count()).select_from(ProgramMembership)).one() == 1


def test_an_active_membership_cannot_be_requested_twice(world: World) -> None:
    with session_scope(world.engine) as s:
        m = invite_partner(session=s, actor=world.vendor, partner_id=world.a, vendor="Cisco")
    with (
        pytest.raises(ProgramError, match="requested cannot be requested again"),
        session_scope(world.engine) as s,
    ):
        request_membership(session=s, actor=world.partner_a, partner_id=world.a, vendor="Cisco")
    assert _row(world.engine, m.id).requested_by == "vendor"


def test_unknown_vendors_and_partners_are_refused_with_a_clear_message(world: World) -> None:
    with (
        pytest.raises(ProgramError, match="unknown vendor 'Cisko'"),
        session_scope(world.engine) as s,
    ):
        request_membership(session=s, actor=world.admin, partner_id=world.a, vendor="Cisko")
    with pytest.raises(ProgramError, match="no such partner"), session_scope(world.engine) as s:
        invite_partner(session=s, actor=world.admin, partner_id=9999, vendor="Cisco")
    assert _audit_actions(world.engine) == []
