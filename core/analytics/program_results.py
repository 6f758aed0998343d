"""A vendor's co-marketing results: per campaign, and per company size bracket.

Every figure is aggregated by the database (GROUP BY over the vendor's own leads and funds,
see core.analytics.program_scope); a page view reads one row per campaign or bracket, never
the leads themselves.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import func, select
from sqlmodel import Session

from core.analytics.program_scope import (
    LEAD,
    engaged_flag,
    ensure_vendor_viewer,
    in_window,
    keep_none,
    ratio,
    status_flag,
    vendor_leads,
    won_value,
)
from core.models import FUND_PAID, AccountPublic, Campaign, FundRequest, utc_now
from core.tables import table_of
from core.taxonomy import get_taxonomy

CAMPAIGN_COLUMNS = [
    "campaign_id", "key", "name", "starts_on", "ends_on", "budget_usd", "committed_usd",
    "funds_paid_usd", "leads", "engaged", "won", "won_value_usd", "roi", "cost_per_engaged_usd",
]  # fmt: skip
SIZE_COLUMNS = ["size_key", "size_label", "leads", "engaged", "won", "won_value_usd"]
# Size brackets and member scorecards look back this far (campaigns carry their own dates).
WINDOW_DAYS = 365

CAMPAIGN = table_of(Campaign)
FUND = table_of(FundRequest)


def campaign_results(
    *, session: Session, viewer: AccountPublic | None, vendor: str
) -> pd.DataFrame:
    """One row per campaign of ``vendor``, newest first: budget, funds paid, leads, engaged
    opportunities, wins, won value, ROI (won value ÷ funds paid; None when nothing was paid)
    and cost per engaged opportunity (None when none engaged).

    Funds: every paid fund of the vendor's campaigns (its own spending). Leads: the
    campaign's leads that are the vendor's (program_scope.vendor_leads)."""
    ensure_vendor_viewer(session, viewer, vendor)
    campaigns = session.execute(
        select(
            CAMPAIGN.c.id,
            CAMPAIGN.c.key,
            CAMPAIGN.c.name,
            CAMPAIGN.c.starts_on,
            CAMPAIGN.c.ends_on,
            CAMPAIGN.c.budget_usd,
            CAMPAIGN.c.committed_usd,
        )
        .where(CAMPAIGN.c.vendor == vendor)
        .order_by(CAMPAIGN.c.starts_on.desc(), CAMPAIGN.c.id.desc())
    ).all()
    if not campaigns:
        return pd.DataFrame(columns=CAMPAIGN_COLUMNS)
    own_campaign = FUND.c.campaign_id == CAMPAIGN.c.id
    paid = dict(
        session.execute(
            select(FUND.c.campaign_id, func.sum(func.coalesce(FUND.c.paid_usd, 0.0)))
            .join(CAMPAIGN, own_campaign)
            .where(CAMPAIGN.c.vendor == vendor, FUND.c.status == FUND_PAID)
            .group_by(FUND.c.campaign_id)
        ).all()
    )
    per_campaign = {
        row[0]: row[1:]
        for row in session.execute(
            select(
                LEAD.c.campaign_id,
                func.count(),
                func.sum(engaged_flag()),
                func.sum(status_flag("won")),
                func.sum(won_value()),
            )
            # The ids, not a join: with a join the planner walks every lead the vendor ever
            # had by (vendor, time); by campaign id, the (campaign_id, …) index holds the
            # campaigns' leads and their outcomes.
            .where(LEAD.c.campaign_id.in_([c[0] for c in campaigns]), vendor_leads(vendor))
            .group_by(LEAD.c.campaign_id)
        ).all()
    }
    rows = []
    for cid, key, name, starts_on, ends_on, budget, committed in campaigns:
        leads, engaged, won, value = per_campaign.get(cid, (0, 0, 0, 0.0))
        funds = float(paid.get(cid) or 0.0)
        engaged = int(engaged or 0)
        rows.append(
            {
                "campaign_id": int(cid),
                "key": key,
                "name": name,
                "starts_on": starts_on,
                "ends_on": ends_on,
                "budget_usd": float(budget),
                "committed_usd": float(committed),
                "funds_paid_usd": funds,
                "leads": int(leads or 0),
                "engaged": engaged,
                "won": int(won or 0),
                "won_value_usd": float(value or 0.0),
                "roi": ratio(float(value or 0.0), funds),
                "cost_per_engaged_usd": ratio(funds, engaged),
            }
        )
    frame = pd.DataFrame(rows, columns=CAMPAIGN_COLUMNS)
    return keep_none(frame, ("roi", "cost_per_engaged_usd"))


def size_bracket_results(
    *,
    session: Session,
    viewer: AccountPublic | None,
    vendor: str,
    now: datetime | None = None,
) -> pd.DataFrame:
    """The vendor's leads of the last year per company size bracket, in taxonomy order
    (every bracket, zeros included): leads, engaged opportunities, wins, won value."""
    ensure_vendor_viewer(session, viewer, vendor)
    now = now or utc_now()
    counts = {
        row[0]: row[1:]
        for row in session.execute(
            select(
                LEAD.c.company_size,
                func.count(),
                func.sum(engaged_flag()),
                func.sum(status_flag("won")),
                func.sum(won_value()),
            )
            .where(vendor_leads(vendor), in_window(now - timedelta(days=WINDOW_DAYS), now))
            .group_by(LEAD.c.company_size)
        ).all()
    }
    rows = []
    for segment in get_taxonomy().segments:
        leads, engaged, won, value = counts.get(segment.key, (0, 0, 0, 0.0))
        rows.append(
            (
                segment.key,
                segment.label,
                int(leads or 0),
                int(engaged or 0),
                int(won or 0),
                float(value or 0.0),
            )
        )
    return pd.DataFrame(rows, columns=SIZE_COLUMNS)
