"""The vendor's regional benchmark shows its active members only, figures only with consent.

Runs on SQLite and on PostgreSQL (the `db_engine` fixture is parametrised over both).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from core.analytics.regional import FIGURE_COLUMNS, lead_funnel, partner_benchmarks
from core.db import session_scope
from core.models import Lead, PartnerYearFigures
from core.programs.consent import revoke_figures_consent
from core.search.index import ReadIndex, build_read_index
from tests.integration.programs.program_world import (
    YEAR,
    ProgramWorld,
    X,
    Y,
    audit_fixture,
    build_program_world,
    revenue_of,
)

NOW = datetime(YEAR + 1, 3, 1, tzinfo=UTC)
SOUTH = ("TX", "OK", "AR", "LA")


@pytest.fixture
def world(db_engine: Engine) -> ProgramWorld:
    world = build_program_world(db_engine)
    with session_scope(db_engine) as session:
        # A year before, so growth can be computed: half the revenue, growth 100 %.
        for pid in world.by_situation.values():
            session.add(
                PartnerYearFigures(partner_id=pid, year=YEAR - 1, revenue_usd=revenue_of(pid) / 2)
            )
            # One Cisco lead each, and one from Microsoft a Cisco view must never count.
            for vendor in (X, Y):
                session.add(
                    Lead(
                        partner_id=pid, vendor_name=vendor, source="co_marketing",
                        contact_name="Customer", contact_email="c@example.com",
                        company_size="11-50", needs=["security"], status="won",
                        value_usd=100.0, created_at=NOW - timedelta(days=30),
                    )
                )  # fmt: skip
            audit_fixture(session, "partner", pid)
            audit_fixture(session, "lead", pid)
    return world


def _bench(world: ProgramWorld, role: str, index: ReadIndex):  # type: ignore[no-untyped-def]
    with Session(world.engine) as session:
        frame = partner_benchmarks(
            session=session, viewer=world.roles[role], index=index, states=SOUTH, now=NOW
        )
    return {int(row["partner_id"]): row for row in frame.to_dict("records")}


def test_vendor_benchmark_lists_only_its_active_members(world: ProgramWorld) -> None:
    rows = _bench(world, "vendor", build_read_index(world.engine))
    assert set(rows) == {world.a, world.b}  # not requested, invited, ended or non-members


def test_vendor_sees_revenue_growth_and_funds_only_of_members_that_consented(
    world: ProgramWorld,
) -> None:
    rows = _bench(world, "vendor", build_read_index(world.engine))
    shared, private = rows[world.a], rows[world.b]
    assert shared["figures_shared"] is True
    assert shared["revenue_usd"] == revenue_of(world.a)
    assert shared["revenue_growth"] == 1.0
    assert shared["co_marketing_funds_usd"] == 1000.0 + world.a
    assert private["figures_shared"] is False
    assert {column: private[column] for column in FIGURE_COLUMNS} == dict.fromkeys(FIGURE_COLUMNS)
    assert private["leads"] == 1  # lead outcomes of a member stay visible to its vendor
    # Only the leads Cisco sourced: not the member's Microsoft lead.
    assert (shared["leads"], shared["won_value_usd"]) == (1, 100.0)


def test_a_vendor_without_members_in_the_region_gets_no_rows(world: ProgramWorld) -> None:
    assert _bench(world, "vendor_y", build_read_index(world.engine)) == {}


def test_admin_benchmark_shows_every_partner_with_figures(world: ProgramWorld) -> None:
    rows = _bench(world, "admin", build_read_index(world.engine))
    assert set(rows) == set(world.by_situation.values())
    assert all(row["revenue_usd"] == revenue_of(pid) for pid, row in rows.items())


def test_vendor_benchmark_drops_revenue_once_the_member_revokes_consent(
    world: ProgramWorld,
) -> None:
    index = build_read_index(world.engine)  # the read index is not rebuilt: no cache involved
    with session_scope(world.engine) as session:
        revoke_figures_consent(session=session, actor=world.partner_a, partner_id=world.a, vendor=X)
    row = _bench(world, "vendor", index)[world.a]
    assert row["figures_shared"] is False
    assert row["revenue_usd"] is None and row["co_marketing_funds_usd"] is None


def test_vendor_lead_funnel_counts_leads_of_its_active_members_only(world: ProgramWorld) -> None:
    index = build_read_index(world.engine)
    counts = {}
    for role in ("vendor", "admin"):
        with Session(world.engine) as session:
            funnel = lead_funnel(
                session=session, viewer=world.roles[role], index=index, states=SOUTH,
                since=NOW - timedelta(days=365),
            )  # fmt: skip
        counts[role] = dict(zip(funnel["status"], funnel["leads"], strict=True))["won"]
    assert counts == {"vendor": 2, "admin": 12}  # Cisco's leads of A and B; admin: all
