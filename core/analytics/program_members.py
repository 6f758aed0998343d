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
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, and_, case, exists, func, literal, select
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
    "revenue_usd", "revenue_growth", "headcount", "figures_shared",
]  # fmt: skip
OPTIONAL_COLUMNS = (
    "reported_share",
    "median_first_response_hours",
    "win_rate",
    "roi",
    "revenue_usd",
    "revenue_growth",
    "headcount",
)
LEAD_FIGURES = ["partner_id", "leads", "reported", "won", "lost", "won_value_usd"]
WINDOW_DAYS = 365
SCORECARD_PAGE_ROWS = 100  # members per screen page; the CSV download has them all
ID_CHUNK = 10_000

MEMBERSHIP = table_of(ProgramMembership)
PARTNER = table_of(Partner)
LOCATION = table_of(PartnerLocation)
FUND = table_of(FundRequest)


# What the screen may sort the whole program by before it takes a page: figures the
# database aggregates for every member. Revenue and growth are read for the page's members
# only (the consent check is per member), so they sort within the page.
SORTABLE = {
    "won_value_usd": "won value",
    "leads": "leads",
    "win_rate": "win rate",
    "reported_share": "reporting",
    "funds_received_usd": "funds received",
    "roi": "ROI",
}


def count_active_members(
    *,
    session: Session,
    viewer: AccountPublic | None,
    vendor: str,
    states: Collection[str] | None = None,
) -> int:
    """How many rows ``member_scorecard`` has without a limit (the screen pages them)."""
    ensure_vendor_viewer(session, viewer, vendor)
    statement = select(func.count()).select_from(_member_filter(vendor, states).subquery())
    return int(session.execute(statement).scalar() or 0)


def member_scorecard(
    *,
    session: Session,
    viewer: AccountPublic | None,
    vendor: str,
    now: datetime | None = None,
    states: Collection[str] | None = None,
    sort_by: str = "won_value_usd",
    limit: int | None = None,
) -> pd.DataFrame:
    """One row per ACTIVE member of ``vendor``'s program (with ``states``: only members with a
    location in one of them), highest ``sort_by`` first (ties and members without a value:
    by partner id); with ``limit``, only the first ``limit`` rows. Lead figures count the
    vendor's own leads created in the year before ``now``; funds the ones it paid in that
    year.

    The per-member aggregates cover the whole program in SQL (a few rows per member with
    activity); names, tiers, figures and response medians are read for the returned rows
    only, so a page of a 300,000-member program costs what a page costs."""
    if sort_by not in SORTABLE:
        raise ValueError(f"sort_by must be one of {', '.join(SORTABLE)}")
    ensure_vendor_viewer(session, viewer, vendor)
    now = now or utc_now()
    since = now - timedelta(days=WINDOW_DAYS)
    activity = _activity_frame(
        _lead_figures(session, vendor, since, now, states),
        _funds_paid(session, vendor, since, now, states),
    ).sort_values([sort_by, "partner_id"], ascending=[False, True], na_position="last")
    page_ids = activity["partner_id"].tolist()
    if limit is not None:
        page_ids = page_ids[:limit]
    if limit is None or len(page_ids) < limit:
        # Members without a lead or a paid fund this year: zeros, after every active one.
        wanted = None if limit is None else limit - len(page_ids)
        page_ids += _quiet_members(session, vendor, states, set(page_ids), wanted)
    if not page_ids:
        return pd.DataFrame(columns=SCORECARD_COLUMNS)
    members = _members(session, vendor, page_ids)
    # Only active members have rows (lead.vendor_member already says so; this is the check).
    page_ids = [pid for pid in page_ids if pid in members]
    medians = _median_response_hours(session, vendor, since, now, page_ids)
    figures: dict[int, tuple[float | None, float | None, int | None]] = {}
    shared: set[int] = set()
    # In chunks: the confidentiality rules take id lists, bound one parameter per id, and
    # SQLite refuses more than 32,766 (older builds) in one statement.
    for start in range(0, len(page_ids), ID_CHUNK):
        chunk = page_ids[start : start + ID_CHUNK]
        figures.update(_revenue(session, viewer, chunk, now))
        shared |= figures_shared_with(session, vendor, chunk)
    by_id = activity.set_index("partner_id")
    figures_of = by_id.loc[by_id.index.intersection(page_ids)].to_dict("index")
    rows = []
    for pid in page_ids:
        name, tier, member_since = members[pid]
        mine = figures_of.get(pid)
        count, reported, won, lost, value, received = (
            (0, 0, 0, 0, 0.0, 0.0)
            if mine is None
            else (mine["leads"], mine["reported"], mine["won"], mine["lost"],
                  mine["won_value_usd"], mine["funds_received_usd"])
        )  # fmt: skip
        revenue, growth, headcount = figures.get(pid, (None, None, None))
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
                "funds_received_usd": float(received),
                "roi": ratio(value, received),
                "revenue_usd": revenue,
                "revenue_growth": growth,
                "headcount": headcount,
                "figures_shared": pid in shared,
            }
        )
    return keep_none(pd.DataFrame(rows, columns=SCORECARD_COLUMNS), OPTIONAL_COLUMNS)


def _activity_frame(leads: pd.DataFrame, funds: pd.DataFrame) -> pd.DataFrame:
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


def _member_filter(vendor: str, states: Collection[str] | None) -> Any:
    statement = select(MEMBERSHIP.c.partner_id).where(
        MEMBERSHIP.c.vendor == vendor, MEMBERSHIP.c.status == PROGRAM_ACTIVE
    )
    if states is not None:
        statement = statement.where(_has_location_in(MEMBERSHIP.c.partner_id, states))
    return statement


def _has_location_in(partner_id: Any, states: Collection[str]) -> ColumnElement[bool]:
    return exists(
        select(literal(1)).where(
            LOCATION.c.partner_id == partner_id, LOCATION.c.state.in_(sorted(states))
        )
    )


def _quiet_members(
    session: Session,
    vendor: str,
    states: Collection[str] | None,
    taken: set[int],
    wanted: int | None,
) -> list[int]:
    """Active members not in ``taken``, by partner id, at most ``wanted`` of them."""
    statement = _member_filter(vendor, states).order_by(MEMBERSHIP.c.partner_id)
    if wanted is not None:
        # The taken ones may come first in id order: skip them without loading everyone.
        statement = statement.limit(wanted + len(taken))
    found = [int(pid) for (pid,) in session.execute(statement).all()]
    quiet = [pid for pid in found if pid not in taken]
    return quiet if wanted is None else quiet[:wanted]


def _members(
    session: Session, vendor: str, ids: list[int]
) -> dict[int, tuple[str, str | None, Any]]:
    """partner -> (name, tier, since) of these members."""
    out: dict[int, tuple[str, str | None, Any]] = {}
    for start in range(0, len(ids), ID_CHUNK):
        rows = session.execute(
            select(MEMBERSHIP.c.partner_id, PARTNER.c.name, MEMBERSHIP.c.tier, MEMBERSHIP.c.since)
            .join(PARTNER, PARTNER.c.id == MEMBERSHIP.c.partner_id)
            .where(
                MEMBERSHIP.c.vendor == vendor,
                MEMBERSHIP.c.status == PROGRAM_ACTIVE,
                MEMBERSHIP.c.partner_id.in_(ids[start : start + ID_CHUNK]),
            )
        ).all()
        out.update({int(r[0]): (r[1], r[2], r[3]) for r in rows})
    return out


def _lead_figures(
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
        statement = statement.where(_has_location_in(LEAD.c.partner_id, states))
    # One DataFrame straight from the rows: a large program has tens of thousands of them.
    # Plain tuples: pandas probes a Row for attributes, which costs more than the query.
    rows = [tuple(row) for row in session.execute(statement).all()]
    frame = pd.DataFrame(rows, columns=LEAD_FIGURES)
    return frame.fillna(0).astype(dict.fromkeys(LEAD_FIGURES[:-1], "int64"))


def _funds_paid(
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
        statement = statement.where(_has_location_in(FUND.c.partner_id, states))
    frame = pd.DataFrame(
        [tuple(row) for row in session.execute(statement).all()],
        columns=["partner_id", "funds_received_usd"],
    )
    return frame.fillna(0).astype({"partner_id": "int64", "funds_received_usd": "float64"})


def _median_response_hours(
    session: Session, vendor: str, since: datetime, now: datetime, ids: list[int]
) -> dict[int, float]:
    hours = hours_between(session, LEAD.c.created_at, LEAD.c.first_response_at)
    statement = select(LEAD.c.partner_id, hours).where(
        vendor_leads(vendor),
        LEAD.c.partner_id.is_not(None),
        LEAD.c.first_response_at.is_not(None),
        in_window(since, now),
    )
    if len(ids) <= ID_CHUNK:  # a page: only its members' leads (else every member's anyway)
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


def _revenue(
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
