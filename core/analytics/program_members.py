"""A vendor's scorecard of its active members: reporting, response, wins, funds, ROI, growth.

The figures per member come from core.analytics.member_figures (aggregated by the database;
business figures only with consent). This module picks which members a page shows: the
whole program sorted on those aggregates, then names, tiers and figures for the page only.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlmodel import Session

from core.analytics.member_figures import (
    activity_frame,
    funds_paid,
    has_location_in,
    lead_figures,
    median_response_hours,
    member_figures,
)
from core.analytics.program_scope import (
    ensure_vendor_viewer,
    keep_none,
    ratio,
)
from core.analytics.responsiveness import (
    PUBLIC_RESPONSIVENESS_COLUMNS,
    public_responsiveness,
)
from core.confidentiality import figures_shared_with
from core.models import (
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
    *PUBLIC_RESPONSIVENESS_COLUMNS,
    "revenue_usd", "revenue_growth", "headcount", "figures_shared",
]  # fmt: skip
OPTIONAL_COLUMNS = (
    *PUBLIC_RESPONSIVENESS_COLUMNS,
    "reported_share",
    "median_first_response_hours",
    "win_rate",
    "roi",
    "revenue_usd",
    "revenue_growth",
    "headcount",
)
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
    activity = activity_frame(
        lead_figures(session, vendor, since, now, states),
        funds_paid(session, vendor, since, now, states),
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
    medians = median_response_hours(session, vendor, since, now, page_ids)
    figures: dict[int, tuple[float | None, float | None, int | None]] = {}
    shared: set[int] = set()
    # The public profile's responsiveness (every lead of the member, not only this vendor's):
    # public-grade, so outside the consent rules below, and empty below 5 leads like there.
    answering: dict[int, dict[str, Any]] = {}
    # In chunks: the confidentiality rules take id lists, bound one parameter per id, and
    # SQLite refuses more than 32,766 (older builds) in one statement.
    for start in range(0, len(page_ids), ID_CHUNK):
        chunk = page_ids[start : start + ID_CHUNK]
        figures.update(member_figures(session, viewer, chunk, now))
        shared |= figures_shared_with(session, vendor, chunk)
        answering.update(public_responsiveness(session=session, partner_ids=chunk))
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
                **answering.get(pid, dict.fromkeys(PUBLIC_RESPONSIVENESS_COLUMNS)),
                "revenue_usd": revenue,
                "revenue_growth": growth,
                "headcount": headcount,
                "figures_shared": pid in shared,
            }
        )
    return keep_none(pd.DataFrame(rows, columns=SCORECARD_COLUMNS), OPTIONAL_COLUMNS)


def _member_filter(vendor: str, states: Collection[str] | None) -> Any:
    statement = select(MEMBERSHIP.c.partner_id).where(
        MEMBERSHIP.c.vendor == vendor, MEMBERSHIP.c.status == PROGRAM_ACTIVE
    )
    if states is not None:
        statement = statement.where(has_location_in(MEMBERSHIP.c.partner_id, states))
    return statement


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
