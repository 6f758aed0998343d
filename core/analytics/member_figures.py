"""Per-member figures of a vendor's program, aggregated by the database.

Lead and fund figures are the vendor's own program data (its leads, the funds it paid) over
a time window, one row per member. Revenue, growth and headcount are the member's business
figures: only through core.confidentiality.visible_figures, so a member that does not
consent (or revokes, effective at the next read) has none, never a number.

The median time to first response is the one figure not finished in SQL: a median has no
portable SQL form (PostgreSQL's percentile_cont does not exist in SQLite), so the database
computes each lead's hours and returns only (partner_id, hours) of the members asked for;
pandas takes the median per member.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, and_, case, exists, func, literal, select
from sqlmodel import Session

from core.analytics.program_scope import (
    LEAD,
    hours_between,
    in_window,
    status_flag,
    vendor_leads,
    won_value,
)
from core.analytics.regional import REPORTING_WINDOW_DAYS
from core.confidentiality import active_member_select, visible_figures
from core.models import FUND_PAID, AccountPublic, FundRequest, PartnerLocation
from core.tables import table_of

LEAD_FIGURES = ["partner_id", "leads", "reported", "won", "lost", "won_value_usd"]
# Up to this many partner ids, a query names them (a page); beyond, it reads every member.
NAMED_IDS_LIMIT = 10_000

LOCATION = table_of(PartnerLocation)
FUND = table_of(FundRequest)


def has_location_in(partner_id: Any, states: Collection[str]) -> ColumnElement[bool]:
    return exists(
        select(literal(1)).where(
            LOCATION.c.partner_id == partner_id, LOCATION.c.state.in_(sorted(states))
        )
    )


def activity_frame(leads: pd.DataFrame, funds: pd.DataFrame) -> pd.DataFrame:
    """The sortable figures of every member with a lead or a paid fund this year."""
    frame = leads.merge(funds, on="partner_id", how="outer").fillna(0)
    frame = frame.astype(dict.fromkeys(LEAD_FIGURES[:-1], "int64"))
    leads_n = frame["leads"].where(frame["leads"] > 0)
    closed = (frame["won"] + frame["lost"]).where(frame["won"] + frame["lost"] > 0)
    funds_n = frame["funds_received_usd"].where(frame["funds_received_usd"] > 0)
    frame["reported_share"] = frame["reported"] / leads_n
    frame["win_rate"] = frame["won"] / closed
    frame["roi"] = frame["won_value_usd"] / funds_n
    return frame


def lead_figures(
    session: Session,
    vendor: str,
    since: datetime,
    now: datetime,
    states: Collection[str] | None,
) -> pd.DataFrame:
    """Per member with leads: LEAD_FIGURES (leads, reported within the window, won, lost,
    won value)."""
    hours = hours_between(session, LEAD.c.created_at, LEAD.c.first_response_at)
    # A lead never answered has no hours: the comparison is NULL, so it counts as not reported.
    reported = func.sum(case((hours <= REPORTING_WINDOW_DAYS * 24, 1), else_=0))
    statement = (
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
    )
    if states is not None:
        statement = statement.where(has_location_in(LEAD.c.partner_id, states))
    # One DataFrame straight from the rows: a large program has tens of thousands of them.
    # Plain tuples: pandas probes a Row for attributes, which costs more than the query.
    rows = [tuple(row) for row in session.execute(statement).all()]
    frame = pd.DataFrame(rows, columns=LEAD_FIGURES)
    return frame.fillna(0).astype(dict.fromkeys(LEAD_FIGURES[:-1], "int64"))


def funds_paid(
    session: Session,
    vendor: str,
    since: datetime,
    now: datetime,
    states: Collection[str] | None,
) -> pd.DataFrame:
    paid_at = FUND.c.paid_at
    statement = (
        select(FUND.c.partner_id, func.sum(func.coalesce(FUND.c.paid_usd, 0.0)))
        .where(
            FUND.c.vendor == vendor,
            FUND.c.status == FUND_PAID,
            and_(paid_at >= since, paid_at <= now),
            FUND.c.partner_id.in_(active_member_select(vendor).scalar_subquery()),
        )
        .group_by(FUND.c.partner_id)
    )
    if states is not None:
        statement = statement.where(has_location_in(FUND.c.partner_id, states))
    frame = pd.DataFrame(
        [tuple(row) for row in session.execute(statement).all()],
        columns=["partner_id", "funds_received_usd"],
    )
    return frame.fillna(0).astype({"partner_id": "int64", "funds_received_usd": "float64"})


def median_response_hours(
    session: Session, vendor: str, since: datetime, now: datetime, ids: list[int]
) -> dict[int, float]:
    hours = hours_between(session, LEAD.c.created_at, LEAD.c.first_response_at)
    statement = select(LEAD.c.partner_id, hours).where(
        vendor_leads(vendor),
        LEAD.c.partner_id.is_not(None),
        LEAD.c.first_response_at.is_not(None),
        in_window(since, now),
    )
    if len(ids) <= NAMED_IDS_LIMIT:  # a page: only its members' leads (else every member's anyway)
        statement = statement.where(LEAD.c.partner_id.in_(ids))
    rows = session.execute(statement).all()
    if not rows:
        return {}
    frame = pd.DataFrame(rows, columns=["partner_id", "hours"])
    medians = frame.groupby("partner_id")["hours"].median()
    return {
        int(pid): round(float(h), 1)
        for pid, h in zip(medians.index.tolist(), medians.tolist(), strict=True)
        if np.isfinite(h)
    }


def member_figures(
    session: Session, viewer: AccountPublic | None, ids: list[int], now: datetime
) -> dict[int, tuple[float | None, float | None, int | None]]:
    """partner -> (revenue of its latest year, growth over the year before, headcount), of
    the members whose figures the viewer may see; the others are absent."""
    years = range(now.year - 3, now.year + 1)
    out: dict[int, tuple[float | None, float | None, int | None]] = {}
    for pid, by_year in visible_figures(session, viewer, ids, years=years).items():
        latest = max(by_year)
        before = by_year.get(latest - 1)
        revenue = by_year[latest].revenue_usd
        growth = None
        if before is not None and before.revenue_usd > 0:
            growth = round((revenue - before.revenue_usd) / before.revenue_usd, 3)
        out[pid] = (revenue, growth, by_year[latest].headcount)
    return out
