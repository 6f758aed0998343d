"""A vendor's scorecard of its active members: reporting, response, wins, funds, ROI, growth.

Lead and fund figures are the vendor's own program data (its leads, the funds it paid) over
the last year, aggregated by the database per member. Revenue and growth are the member's
business figures: only through core.confidentiality.visible_figures, so a member that does
not consent (or revokes, effective at the next read) shows None, never a number.

The median time to first response is the one figure not finished in SQL: a median has no
portable SQL form (PostgreSQL's percentile_cont does not exist in SQLite), so the database
computes each lead's hours and returns only (partner_id, hours) of the vendor's answered
leads of the year; NumPy takes the median per member.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import and_, case, exists, func, literal, select
from sqlmodel import Session

from core.analytics.program_scope import (
    LEAD,
    ensure_vendor_viewer,
    hours_between,
    in_window,
    keep_none,
    ratio,
    status_flag,
    vendor_leads,
    won_value,
)
from core.analytics.regional import REPORTING_WINDOW_DAYS
from core.confidentiality import active_member_select, figures_shared_with, visible_figures
from core.models import (
    FUND_PAID,
    PROGRAM_ACTIVE,
    AccountPublic,
    FundRequest,
    Partner,
    PartnerLocation,
    ProgramMembership,
    utc_now,
)
from core.tables import table_of

SCORECARD_COLUMNS = [
    "partner_id", "name", "tier", "since", "leads", "reported_share",
    "median_first_response_hours", "win_rate", "won_value_usd", "funds_received_usd", "roi",
    "revenue_usd", "revenue_growth", "figures_shared",
]  # fmt: skip
OPTIONAL_COLUMNS = (
    "reported_share",
    "median_first_response_hours",
    "win_rate",
    "roi",
    "revenue_usd",
    "revenue_growth",
)
WINDOW_DAYS = 365
ID_CHUNK = 10_000

MEMBERSHIP = table_of(ProgramMembership)
PARTNER = table_of(Partner)
LOCATION = table_of(PartnerLocation)
FUND = table_of(FundRequest)


def member_scorecard(
    *,
    session: Session,
    viewer: AccountPublic | None,
    vendor: str,
    now: datetime | None = None,
    states: Collection[str] | None = None,
) -> pd.DataFrame:
    """One row per ACTIVE member of ``vendor``'s program (with ``states``: only members with a
    location in one of them), most won value first. Lead figures count the vendor's own leads
    created in the year before ``now``; funds the ones it paid in that year."""
    ensure_vendor_viewer(session, viewer, vendor)
    now = now or utc_now()
    since = now - timedelta(days=WINDOW_DAYS)
    members = _members(session, vendor, states)
    if members.empty:
        return pd.DataFrame(columns=SCORECARD_COLUMNS)
    ids = members["partner_id"].tolist()
    leads = _lead_figures(session, vendor, since, now)
    funds = _funds_paid(session, vendor, since, now)
    medians = _median_response_hours(session, vendor, since, now)
    figures: dict[int, tuple[float | None, float | None]] = {}
    shared: set[int] = set()
    # In chunks: the confidentiality rules take id lists, bound one parameter per id, and
    # SQLite refuses more than 32,766 (older builds) in one statement; the largest
    # vendor's program at a million partners has far more members.
    for start in range(0, len(ids), ID_CHUNK):
        chunk = ids[start : start + ID_CHUNK]
        figures.update(_revenue(session, viewer, chunk, now))
        shared |= figures_shared_with(session, vendor, chunk)
    rows = []
    for pid, name, tier, member_since in members.itertuples(index=False):
        count, reported, won, lost, value = leads.get(pid, (0, 0, 0, 0, 0.0))
        received = float(funds.get(pid) or 0.0)
        revenue, growth = figures.get(pid, (None, None))
        rows.append(
            {
                "partner_id": pid,
                "name": name,
                "tier": tier,
                "since": member_since,
                "leads": int(count),
                "reported_share": ratio(reported, count),
                "median_first_response_hours": medians.get(pid),
                "win_rate": ratio(won, won + lost),
                "won_value_usd": float(value),
                "funds_received_usd": received,
                "roi": ratio(value, received),
                "revenue_usd": revenue,
                "revenue_growth": growth,
                "figures_shared": pid in shared,
            }
        )
    frame = keep_none(pd.DataFrame(rows, columns=SCORECARD_COLUMNS), OPTIONAL_COLUMNS)
    return frame.sort_values(
        ["won_value_usd", "partner_id"], ascending=[False, True], ignore_index=True
    )


def _members(session: Session, vendor: str, states: Collection[str] | None) -> pd.DataFrame:
    statement = (
        select(MEMBERSHIP.c.partner_id, PARTNER.c.name, MEMBERSHIP.c.tier, MEMBERSHIP.c.since)
        .join(PARTNER, PARTNER.c.id == MEMBERSHIP.c.partner_id)
        .where(MEMBERSHIP.c.vendor == vendor, MEMBERSHIP.c.status == PROGRAM_ACTIVE)
    )
    if states is not None:
        statement = statement.where(
            exists(
                select(literal(1)).where(
                    LOCATION.c.partner_id == MEMBERSHIP.c.partner_id,
                    LOCATION.c.state.in_(sorted(states)),
                )
            )
        )
    rows = session.execute(statement).all()
    return pd.DataFrame(
        [(int(r[0]), r[1], r[2], r[3]) for r in rows],
        columns=["partner_id", "name", "tier", "since"],
    )


def _lead_figures(
    session: Session, vendor: str, since: datetime, now: datetime
) -> dict[int, tuple[int, int, int, int, float]]:
    """partner -> (leads, reported within the window, won, lost, won value)."""
    hours = hours_between(session, LEAD.c.created_at, LEAD.c.first_response_at)
    # A lead never answered has no hours: the comparison is NULL, so it counts as not reported.
    reported = func.sum(case((hours <= REPORTING_WINDOW_DAYS * 24, 1), else_=0))
    rows = session.execute(
        select(
            LEAD.c.partner_id,
            func.count(),
            reported,
            func.sum(status_flag("won")),
            func.sum(status_flag("lost")),
            func.sum(won_value()),
        )
        .where(vendor_leads(vendor), LEAD.c.partner_id.is_not(None), in_window(since, now))
        .group_by(LEAD.c.partner_id)
    ).all()
    return {
        int(pid): (int(n), int(rep or 0), int(won or 0), int(lost or 0), float(value or 0.0))
        for pid, n, rep, won, lost, value in rows
    }


def _funds_paid(session: Session, vendor: str, since: datetime, now: datetime) -> dict[int, float]:
    paid_at = FUND.c.paid_at
    rows = session.execute(
        select(FUND.c.partner_id, func.sum(func.coalesce(FUND.c.paid_usd, 0.0)))
        .where(
            FUND.c.vendor == vendor,
            FUND.c.status == FUND_PAID,
            and_(paid_at >= since, paid_at <= now),
            FUND.c.partner_id.in_(active_member_select(vendor).scalar_subquery()),
        )
        .group_by(FUND.c.partner_id)
    ).all()
    return {int(pid): float(total or 0.0) for pid, total in rows}


def _median_response_hours(
    session: Session, vendor: str, since: datetime, now: datetime
) -> dict[int, float]:
    hours = hours_between(session, LEAD.c.created_at, LEAD.c.first_response_at)
    rows = session.execute(
        select(LEAD.c.partner_id, hours).where(
            vendor_leads(vendor),
            LEAD.c.partner_id.is_not(None),
            LEAD.c.first_response_at.is_not(None),
            in_window(since, now),
        )
    ).all()
    if not rows:
        return {}
    frame = pd.DataFrame(rows, columns=["partner_id", "hours"])
    medians = frame.groupby("partner_id")["hours"].median()
    return {
        int(pid): round(float(h), 1)
        for pid, h in zip(medians.index.tolist(), medians.tolist(), strict=True)
        if np.isfinite(h)
    }


def _revenue(
    session: Session, viewer: AccountPublic | None, ids: list[int], now: datetime
) -> dict[int, tuple[float | None, float | None]]:
    """partner -> (revenue of its latest year, growth over the year before), of the members
    whose figures the viewer may see; the others are absent."""
    years = range(now.year - 3, now.year + 1)
    out: dict[int, tuple[float | None, float | None]] = {}
    for pid, by_year in visible_figures(session, viewer, ids, years=years).items():
        latest = max(by_year)
        before = by_year.get(latest - 1)
        revenue = by_year[latest].revenue_usd
        growth = None
        if before is not None and before.revenue_usd > 0:
            growth = round((revenue - before.revenue_usd) / before.revenue_usd, 3)
        out[pid] = (revenue, growth)
    return out
