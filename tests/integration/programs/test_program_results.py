"""A vendor's "My program" figures, field by field, for every role, on SQLite and PostgreSQL.

The world (program_results_world) documents how each expected number follows from its rows.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from core.access import PermissionDenied
from core.accounts.admin import set_account_active
from core.analytics.program_members import (
    SCORECARD_COLUMNS,
    count_active_members,
    member_scorecard,
)
from core.analytics.program_results import (
    CAMPAIGN_COLUMNS,
    SIZE_COLUMNS,
    campaign_results,
    size_bracket_results,
)
from core.db import session_scope
from core.models import ProgramMembership
from core.programs.answers import accept_invitation
from core.programs.consent import revoke_figures_consent
from tests.integration.programs.program_results_world import (
    FORBIDDEN_WON,
    ResultsWorld,
    build_results_world,
)
from tests.integration.programs.program_world import X, Y, revenue_of

SCREENS = (campaign_results, member_scorecard, size_bracket_results)


@pytest.fixture
def world(db_engine: Engine) -> ResultsWorld:
    return build_results_world(db_engine)


def _rows(world: ResultsWorld, screen: Any, role: str, vendor: str = X) -> dict[Any, dict]:
    with Session(world.engine) as session:
        frame = screen(session=session, viewer=world.roles[role], vendor=vendor)
    key = {"campaign_results": "campaign_id", "size_bracket_results": "size_key"}.get(
        screen.__name__, "partner_id"
    )
    return {row[key]: row for row in frame.to_dict("records")}


def _all_values(frame: pd.DataFrame) -> set[Any]:
    return {v for row in frame.itertuples(index=False) for v in row}


def test_campaign_roi_is_won_value_over_funds_paid_recomputed_by_hand(world: ResultsWorld) -> None:
    for role in ("vendor", "admin"):
        spring = _rows(world, campaign_results, role)[world.spring]
        # Paid: A 2,000 + B 1,000 + the ended member 500 (A's approved 3,000 is not paid).
        paid = 2_000.0 + 1_000.0 + 500.0
        # Won by the vendor's own leads of active members / unassigned: A 10,000 + B 4,000.
        won_value = 10_000.0 + 4_000.0
        assert spring["funds_paid_usd"] == paid
        assert (spring["leads"], spring["engaged"], spring["won"]) == (6, 4, 2)
        assert spring["won_value_usd"] == won_value
        assert spring["roi"] == round(won_value / paid, 2) == 4.0
        assert spring["cost_per_engaged_usd"] == round(paid / 4, 2) == 875.0
        assert (spring["key"], spring["budget_usd"], spring["committed_usd"]) == (
            "spring-security",
            10_000.0,
            6_500.0,
        )
        assert set(_rows(world, campaign_results, role)) == {world.spring}  # not Microsoft's


def test_another_vendors_campaign_leads_funds_never_count(world: ResultsWorld) -> None:
    ms = _rows(world, campaign_results, "vendor_y", Y)
    assert set(ms) == {world.ms_cloud}
    row = ms[world.ms_cloud]
    # Microsoft paid A 9,999 (its own spending); A is no Microsoft member: its win is hidden.
    assert (row["funds_paid_usd"], row["leads"], row["won_value_usd"]) == (9_999.0, 0, 0.0)
    assert row["roi"] == 0.0 and row["cost_per_engaged_usd"] is None


def test_scorecard_for_the_vendor_field_by_field(world: ResultsWorld) -> None:
    rows = _rows(world, member_scorecard, "vendor")
    assert set(rows) == {world.a, world.b}  # active members only
    a, b = rows[world.a], rows[world.b]
    assert (a["name"], a["tier"], a["since"] is not None) == ("Alpha IT", "Select", True)
    # A's Cisco leads: won, engaged, qualified out, new, lost; answered after 2 h, 10 h,
    # 20 days (late) and 30 h; the new one never.
    assert (a["leads"], a["reported_share"], a["median_first_response_hours"]) == (5, 0.6, 20.0)
    assert (a["win_rate"], a["won_value_usd"], a["funds_received_usd"], a["roi"]) == (
        0.5,
        10_000.0,
        2_000.0,
        5.0,
    )
    assert (a["revenue_usd"], a["revenue_growth"], a["figures_shared"]) == (
        revenue_of(world.a),
        1.0,
        True,
    )
    assert (b["leads"], b["reported_share"], b["median_first_response_hours"]) == (1, 1.0, 4.0)
    assert (b["win_rate"], b["won_value_usd"], b["funds_received_usd"], b["roi"]) == (
        1.0,
        4_000.0,
        1_000.0,
        4.0,
    )
    # B does not consent: its business figures are absent, not zero.
    assert (b["revenue_usd"], b["revenue_growth"], b["figures_shared"]) == (None, None, False)


def test_admin_sees_the_same_members_with_every_revenue(world: ResultsWorld) -> None:
    rows = _rows(world, member_scorecard, "admin")
    assert set(rows) == {world.a, world.b}
    assert rows[world.b]["revenue_usd"] == revenue_of(world.b)
    assert rows[world.b]["figures_shared"] is False  # what the vendor gets: still not shared
    vendor_rows = _rows(world, member_scorecard, "vendor")
    for column in set(SCORECARD_COLUMNS) - {"revenue_usd", "revenue_growth"}:
        assert rows[world.b][column] == vendor_rows[world.b][column], column


@pytest.mark.parametrize("screen", SCREENS, ids=lambda f: f.__name__)
def test_no_outsider_or_non_consenting_figure_appears_anywhere(
    world: ResultsWorld, screen: Any
) -> None:
    outsiders = {world.b, world.requested, world.invited, world.ended, world.stranger}
    forbidden = {revenue_of(pid) for pid in outsiders} | set(FORBIDDEN_WON.values())
    forbidden |= {revenue_of(pid) / 2 for pid in world.by_situation.values()}
    with Session(world.engine) as session:
        frame = screen(session=session, viewer=world.vendor, vendor=X)
    assert not forbidden & _all_values(frame)
    assert (
        list(frame.columns)
        == {
            "campaign_results": CAMPAIGN_COLUMNS,
            "member_scorecard": SCORECARD_COLUMNS,
            "size_bracket_results": SIZE_COLUMNS,
        }[screen.__name__]
    )


def test_a_revoked_consent_hides_revenue_at_once(world: ResultsWorld) -> None:
    with session_scope(world.engine) as session:
        revoke_figures_consent(session=session, actor=world.partner_a, partner_id=world.a, vendor=X)
        row = member_scorecard(session=session, viewer=world.vendor, vendor=X)
        in_same_transaction = row.set_index("partner_id").loc[world.a]
        assert in_same_transaction["revenue_usd"] is None
    a = _rows(world, member_scorecard, "vendor")[world.a]
    assert (a["revenue_usd"], a["revenue_growth"], a["figures_shared"]) == (None, None, False)
    assert a["won_value_usd"] == 10_000.0  # its program data with Cisco stays


def test_size_brackets_in_taxonomy_order_with_zeros(world: ResultsWorld) -> None:
    with Session(world.engine) as session:
        frame = size_bracket_results(session=session, viewer=world.vendor, vendor=X)
    assert frame["size_key"].tolist() == ["1-10", "11-50", "51-200", "201-1000", "1000+"]
    got = {r["size_key"]: (r["leads"], r["engaged"], r["won"], r["won_value_usd"])
           for r in frame.to_dict("records")}  # fmt: skip
    assert got == {
        "1-10": (1, 1, 0, 0.0),  # A engaged
        "11-50": (4, 3, 2, 14_000.0),  # A won, new, lost (lost was engaged); B won
        "51-200": (1, 0, 0, 0.0),  # unassigned
        "201-1000": (0, 0, 0, 0.0),
        "1000+": (1, 1, 0, 0.0),  # A qualified out after engaging
    }


@pytest.mark.parametrize("role", ["anonymous", "partner_a", "partner_b", "vendor_y"])
@pytest.mark.parametrize("screen", SCREENS, ids=lambda f: f.__name__)
def test_only_the_vendor_and_admins_read_its_program(
    world: ResultsWorld, role: str, screen: Any
) -> None:
    with Session(world.engine) as session, pytest.raises(PermissionDenied):
        screen(session=session, viewer=world.roles[role], vendor=X)


def test_a_forged_or_deactivated_vendor_account_reads_nothing(world: ResultsWorld) -> None:
    forged = world.vendor_y.model_copy(update={"vendor_name": X})
    with Session(world.engine) as session, pytest.raises(PermissionDenied):
        member_scorecard(session=session, viewer=forged, vendor=X)
    with session_scope(world.engine) as session:
        set_account_active(
            session=session, actor=world.admin, account_id=world.vendor.id, active=False
        )
    with Session(world.engine) as session, pytest.raises(PermissionDenied):
        campaign_results(session=session, viewer=world.vendor, vendor=X)


def test_scorecard_by_region_keeps_members_with_a_location_there(world: ResultsWorld) -> None:
    with Session(world.engine) as session:
        texas = member_scorecard(session=session, viewer=world.vendor, vendor=X, states=["TX"])
        west = member_scorecard(session=session, viewer=world.vendor, vendor=X, states=["CA"])
    assert set(texas["partner_id"]) == {world.a, world.b}
    assert west.empty and list(west.columns) == SCORECARD_COLUMNS


def test_scorecard_reads_figures_in_chunks_with_the_same_result(
    world: ResultsWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = _rows(world, member_scorecard, "vendor")
    monkeypatch.setattr("core.analytics.program_members.ID_CHUNK", 1)
    assert _rows(world, member_scorecard, "vendor") == whole


def test_a_scorecard_page_is_the_head_of_the_whole_scorecard_in_the_chosen_order(
    world: ResultsWorld,
) -> None:
    with Session(world.engine) as session:
        whole = member_scorecard(session=session, viewer=world.vendor, vendor=X)
        total = count_active_members(session=session, viewer=world.vendor, vendor=X)
        pages = {
            n: member_scorecard(session=session, viewer=world.vendor, vendor=X, limit=n)
            for n in range(1, total + 2)
        }
        by_leads = member_scorecard(session=session, viewer=world.vendor, vendor=X, sort_by="leads")
        with pytest.raises(ValueError, match="sort_by"):
            member_scorecard(session=session, viewer=world.vendor, vendor=X, sort_by="revenue")
    assert total == len(whole) >= 2
    for n, page in pages.items():
        expected = whole.head(n).reset_index(drop=True)
        pd.testing.assert_frame_equal(page.reset_index(drop=True), expected)
    leads = by_leads["leads"].tolist()
    assert leads == sorted(leads, reverse=True)
    assert set(by_leads["partner_id"]) == set(whole["partner_id"])


def test_the_member_count_is_for_the_vendor_and_its_accounts_only(world: ResultsWorld) -> None:
    with Session(world.engine) as session:
        with pytest.raises(PermissionDenied):
            count_active_members(session=session, viewer=world.vendor_y, vendor=X)
        with pytest.raises(PermissionDenied):
            count_active_members(session=session, viewer=None, vendor=X)


def test_members_without_activity_come_last_by_id_and_fill_a_page(world: ResultsWorld) -> None:
    with Session(world.engine) as session:
        invitation = session.exec(
            select(ProgramMembership).where(
                ProgramMembership.partner_id == world.invited, ProgramMembership.vendor == X
            )
        ).one()
        version = invitation.version
    with session_scope(world.engine) as session:
        accept_invitation(
            session=session, actor=world.admin, membership_id=invitation.id, seen_version=version
        )
    with Session(world.engine) as session:
        whole = member_scorecard(session=session, viewer=world.vendor, vendor=X)
        page = member_scorecard(session=session, viewer=world.vendor, vendor=X, limit=len(whole))
    quiet = whole[whole["partner_id"] == world.invited].iloc[0]
    assert whole["partner_id"].tolist()[-1] == world.invited
    assert (quiet["leads"], quiet["funds_received_usd"], quiet["won_value_usd"]) == (0, 0.0, 0.0)
    assert page["partner_id"].tolist() == whole["partner_id"].tolist()
