"""Who sees which partner's business figures: every role against every membership situation.

Runs on SQLite and on PostgreSQL (the `db_engine` fixture is parametrised over both).
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from core.accounts.admin import set_account_active
from core.confidentiality import (
    figures_visible_ids,
    individually_visible_ids,
    visible_figures,
)
from core.db import session_scope
from core.programs.consent import revoke_figures_consent
from tests.integration.programs.program_world import (
    YEAR,
    ProgramWorld,
    X,
    build_program_world,
    revenue_of,
)


@pytest.fixture
def world(db_engine: Engine) -> ProgramWorld:
    return build_program_world(db_engine)


def _expected_figures(world: ProgramWorld) -> dict[str, set[str]]:
    """Role -> the situations whose figures it sees. Everything else must be absent."""
    everyone = set(world.by_situation)
    return {
        "anonymous": set(),
        "partner_a": {"member_with_consent"},  # partner A is that member: its own
        "partner_b": {"member_without_consent"},  # B is that one: its own, consent or not
        "vendor": {"member_with_consent"},
        "vendor_y": set(),  # the non-member consented to Y, but is not Y's member
        "admin": everyone,
    }


@pytest.mark.parametrize(
    "role", ["anonymous", "partner_a", "partner_b", "vendor", "vendor_y", "admin"]
)
def test_each_role_sees_exactly_the_figures_the_rules_allow_field_by_field(
    world: ProgramWorld, role: str
) -> None:
    situations = world.by_situation
    with Session(world.engine) as session:
        seen = visible_figures(session, world.roles[role], situations.values())
    expected = {situations[s] for s in _expected_figures(world)[role]}
    assert set(seen) == expected, {s: p in seen for s, p in situations.items()}
    for partner_id in expected:
        year = seen[partner_id][YEAR]
        assert year.revenue_usd == revenue_of(partner_id)
        assert year.comarketing_funds_usd == 1000.0 + partner_id


@pytest.mark.parametrize(
    ("situation", "vendor_sees"),
    [
        ("member_with_consent", True),
        ("member_without_consent", False),
        ("requested", False),
        ("invited", False),
        ("ended", False),
        ("non_member", False),
    ],
)
def test_vendor_sees_figures_only_of_its_active_members_that_consented(
    world: ProgramWorld, situation: str, vendor_sees: bool
) -> None:
    partner_id = world.by_situation[situation]
    with Session(world.engine) as session:
        assert (partner_id in figures_visible_ids(session, world.vendor, [partner_id])) is (
            vendor_sees
        )


def test_vendor_sees_individual_rows_of_active_members_only_consent_aside(
    world: ProgramWorld,
) -> None:
    ids = world.by_situation.values()
    with Session(world.engine) as session:
        assert individually_visible_ids(session, world.vendor, ids) == {world.a, world.b}
        assert individually_visible_ids(session, world.vendor_y, ids) == set()
        assert individually_visible_ids(session, None, ids) == set()
        assert individually_visible_ids(session, world.partner_a, ids) == {world.a}
        assert individually_visible_ids(session, world.admin, ids) == set(ids)


def test_vendor_sees_no_revenue_of_member_that_revoked_consent(world: ProgramWorld) -> None:
    with Session(world.engine) as session:
        assert world.a in visible_figures(session, world.vendor, [world.a])
    with session_scope(world.engine) as session:
        revoke_figures_consent(session=session, actor=world.partner_a, partner_id=world.a, vendor=X)
        # At once: in the same transaction, before any cache could notice.
        assert visible_figures(session, world.vendor, [world.a]) == {}
    with Session(world.engine) as session:
        assert visible_figures(session, world.vendor, [world.a]) == {}
        assert world.a in visible_figures(session, world.partner_a, [world.a])  # still its own


def test_a_forged_vendor_name_on_the_account_object_widens_nothing(world: ProgramWorld) -> None:
    # The page's copy of the account claims Microsoft; the database says Cisco.
    forged = world.vendor.model_copy(update={"vendor_name": "Microsoft"})
    as_admin = world.vendor.model_copy(update={"role": "admin"})
    with Session(world.engine) as session:
        assert set(visible_figures(session, forged, world.by_situation.values())) == {world.a}
        assert set(visible_figures(session, as_admin, world.by_situation.values())) == {world.a}


def test_a_deactivated_vendor_account_sees_no_figures(world: ProgramWorld) -> None:
    with session_scope(world.engine) as session:
        set_account_active(
            session=session, actor=world.admin, account_id=world.vendor.id, active=False
        )
    with Session(world.engine) as session:
        assert visible_figures(session, world.vendor, [world.a]) == {}
