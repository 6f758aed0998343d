"""My standing: own figures over time and leads against last year, on SQLite and PostgreSQL;
and who may read them."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from core.access import PermissionDenied
from core.analytics.standing import LAST_YEAR, THIS_YEAR, figures_over_time, lead_periods
from core.db import session_scope
from core.directory.year_figures import SeenFigures, YearFiguresError, save_year_figures
from core.models import AuditEvent, PartnerYearFigures
from tests.integration.analytics.standing_world import (
    NOW,
    add_figures,
    add_lead,
    share_figures_with,
    standing_world,
)


def test_own_figures_come_oldest_first_with_year_over_year_growth(db_engine):
    world, _ = standing_world(db_engine)
    add_figures(
        db_engine, world.a, {2023: (400_000.0, 4), 2024: (500_000.0, 5), 2025: (450_000.0, None)}
    )
    with Session(db_engine) as session:
        rows = figures_over_time(session=session, viewer=world.partner_a, partner_id=world.a)
    assert [(r.year, r.revenue_usd, r.headcount) for r in rows] == [
        (2023, 400_000.0, 4), (2024, 500_000.0, 5), (2025, 450_000.0, None),
    ]  # fmt: skip
    assert [r.revenue_growth for r in rows] == [None, 0.25, -0.1]
    assert [r.headcount_growth for r in rows] == [None, 0.25, None]


def test_figures_are_refused_to_another_partner_and_a_vendor_without_consent(db_engine):
    world, _ = standing_world(db_engine)
    add_figures(db_engine, world.a, {2025: (450_000.0, 5)})
    share_figures_with(db_engine, world.a, "Cisco", granted=False)
    with Session(db_engine) as session:
        for viewer in (world.partner_b, world.vendor, None):
            with pytest.raises(PermissionDenied):
                figures_over_time(session=session, viewer=viewer, partner_id=world.a)
        admin_rows = figures_over_time(session=session, viewer=world.admin, partner_id=world.a)
    assert [r.revenue_usd for r in admin_rows] == [450_000.0]


def test_a_consenting_members_vendor_reads_its_figures(db_engine):
    world, _ = standing_world(db_engine)
    add_figures(db_engine, world.a, {2025: (450_000.0, 5)})
    share_figures_with(db_engine, world.a, "Cisco", granted=True)
    with Session(db_engine) as session:
        rows = figures_over_time(session=session, viewer=world.vendor, partner_id=world.a)
    assert [r.revenue_usd for r in rows] == [450_000.0]


def test_leads_this_year_against_last_year_exactly(db_engine):
    world, _ = standing_world(db_engine)
    # This year: 5 leads, 3 answered (2, 4, 10 h -> median 4), 2 won, 1 lost, 1 open, 1 out.
    for days, status, hours, engaged in [
        (10, "won", 2.0, True), (40, "won", 4.0, True), (100, "lost", 10.0, True),
        (200, "new", None, False), (300, "qualified_out", None, False),
    ]:  # fmt: skip
        add_lead(db_engine, world.a, days_ago=days, status=status, response_hours=hours,
                 engaged=engaged)  # fmt: skip
    # Last year: 4 leads, answered in 1, 3, 5, 7 h (median 4), 1 won, 2 lost, 1 nurture.
    for days, status, hours in [(400, "won", 1.0), (500, "lost", 3.0), (600, "lost", 5.0),
                                (700, "nurture", 7.0)]:  # fmt: skip
        add_lead(db_engine, world.a, days_ago=days, status=status, response_hours=hours)
    add_lead(db_engine, world.a, days_ago=800, status="won")  # older than both periods
    add_lead(db_engine, world.b, days_ago=5, status="won")  # another partner's
    with Session(db_engine) as session:
        periods = lead_periods(session=session, viewer=world.partner_a, partner_id=world.a, now=NOW)
    this, last = periods[THIS_YEAR], periods[LAST_YEAR]
    assert (this.received, this.engaged, this.won, this.lost, this.qualified_out, this.open) == (
        5, 3, 2, 1, 1, 1)  # fmt: skip
    assert this.win_rate == round(2 / 3, 4) and this.median_first_response_hours == 4.0
    assert (last.received, last.won, last.lost, last.open) == (4, 1, 2, 1)
    assert last.win_rate == round(1 / 3, 4) and last.median_first_response_hours == 4.0


def test_leads_are_the_partners_and_admins_only(db_engine):
    world, _ = standing_world(db_engine)
    with Session(db_engine) as session:
        for viewer in (world.partner_b, world.vendor, None):
            with pytest.raises(PermissionDenied):
                lead_periods(session=session, viewer=viewer, partner_id=world.a, now=NOW)
        assert lead_periods(session=session, viewer=world.admin, partner_id=world.a, now=NOW)


def _save(world, actor, year, revenue, headcount, seen):  # type: ignore[no-untyped-def]
    with session_scope(world.engine) as session:
        save_year_figures(session=session, actor=actor, partner_id=world.a, year=year,
                          revenue_usd=revenue, headcount=headcount, seen=seen)  # fmt: skip


def stored(engine, partner_id):  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        rows = session.exec(
            select(PartnerYearFigures).where(PartnerYearFigures.partner_id == partner_id)
        ).all()
        return {r.year: (r.revenue_usd, r.headcount) for r in rows}


def test_a_partner_enters_a_year_then_changes_it_audited(db_engine):
    world, _ = standing_world(db_engine)
    _save(world, world.partner_a, 2024, 300_000.0, 3, None)
    _save(world, world.partner_a, 2024, 320_000.0, 4, SeenFigures(300_000.0, 3))
    assert stored(db_engine, world.a)[2024] == (320_000.0, 4)
    with Session(db_engine) as session:
        events = session.exec(
            select(AuditEvent).where(AuditEvent.action == "year_figures_saved")
        ).all()
    assert [e.changes["2024 revenue_usd"] for e in events] == [
        {"before": None, "after": 300_000.0}, {"before": 300_000.0, "after": 320_000.0},
    ]  # fmt: skip


def test_a_save_over_a_change_it_did_not_see_is_refused_and_keeps_the_other(db_engine):
    world, _ = standing_world(db_engine)
    _save(world, world.partner_a, 2024, 300_000.0, 3, None)
    _save(world, world.admin, 2024, 310_000.0, 3, SeenFigures(300_000.0, 3))
    with pytest.raises(YearFiguresError, match="changed by someone else"):
        _save(world, world.partner_a, 2024, 999.0, 3, SeenFigures(300_000.0, 3))
    with pytest.raises(YearFiguresError, match="changed by someone else"):
        _save(world, world.partner_a, 2024, 999.0, 3, None)  # "new" year that exists now
    assert stored(db_engine, world.a)[2024] == (310_000.0, 3)


def test_another_partner_and_bad_input_change_nothing(db_engine):
    world, _ = standing_world(db_engine)
    before = stored(db_engine, world.a)
    with pytest.raises(PermissionDenied):
        _save(world, world.partner_b, 2024, 1.0, 1, None)
    with pytest.raises(PermissionDenied):
        _save(world, world.vendor, 2024, 1.0, 1, None)
    for year, revenue, headcount in [(1800, 1.0, 1), (2024, -5.0, 1), (2024, float("nan"), 1),
                                     (2024, 1.0, -1), (NOW.year + 5, 1.0, 1)]:  # fmt: skip
        with pytest.raises(YearFiguresError):
            _save(world, world.partner_a, year, revenue, headcount, None)
    assert stored(db_engine, world.a) == before
