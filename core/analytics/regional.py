"""Regional analytics for vendor teams: coverage, unmet demand and partner benchmarks.

Everything here is confidential (lead outcomes, co-marketing funds, revenue): it serves
the signed-in vendor and admin screens only, scoped to the regions the account covers.
Per-partner rows and figures go through core.confidentiality with the viewer: a vendor
gets rows of its active program members only, and their business figures only where the
member consented.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import text
from sqlmodel import Session

from core.confidentiality import (
    current_viewer,
    figures_visible_ids,
    individually_visible_ids,
    visible_figures,
)
from core.models import LEAD_STATUS_LABELS, ROLE_ADMIN, ROLE_VENDOR, AccountPublic, utc_now
from core.search.index import ReadIndex, state_mask
from core.taxonomy import PROFICIENT, Region, get_taxonomy

# A lead counts as "reported on" when the partner moved it out of "new" within this time.
REPORTING_WINDOW_DAYS = 14
# A recorded search with fewer results than this is unmet demand.
UNMET_BELOW = 3


class RegionAccessDenied(PermissionError):
    pass


def regions_visible_to(actor: AccountPublic) -> list[Region]:
    regions = list(get_taxonomy().regions)
    if actor.role == ROLE_ADMIN:
        return regions
    if actor.role == ROLE_VENDOR:
        return [r for r in regions if r.key in set(actor.regions)]
    return []


def region_for(actor: AccountPublic, region_key: str) -> Region:
    """The region, if this account may see it; vendors only see the regions they cover."""
    for region in regions_visible_to(actor):
        if region.key == region_key:
            return region
    raise RegionAccessDenied("This account does not cover that region.")


def partner_rows_in_states(index: ReadIndex, states: tuple[str, ...]) -> np.ndarray:
    return np.flatnonzero((index.location_states & state_mask(states)) != 0)


def coverage_by_area(index: ReadIndex, states: tuple[str, ...]) -> pd.DataFrame:
    """Per area: partners in the region at ≥ proficient by claim and by evidence."""
    taxonomy = get_taxonomy()
    rows = partner_rows_in_states(index, states)
    claimed = (index.claimed[rows] >= PROFICIENT).sum(axis=0)
    evidenced = (index.evidenced[rows] >= PROFICIENT).sum(axis=0)
    frame = pd.DataFrame(
        {
            "area_key": list(index.area_keys),
            "area": [taxonomy.area_label(k) for k in index.area_keys],
            "group": [taxonomy.group_labels[taxonomy.area(k).group] for k in index.area_keys],
            "claimed_proficient": claimed.astype(int),
            "evidenced_proficient": evidenced.astype(int),
        }
    )
    frame["evidence_share"] = np.where(
        frame["claimed_proficient"] > 0,
        frame["evidenced_proficient"] / frame["claimed_proficient"].clip(lower=1),
        0.0,
    ).round(2)
    return frame


def unmet_demand(
    *, session: Session, states: tuple[str, ...], since: datetime, below: int = UNMET_BELOW
) -> pd.DataFrame:
    """Needs asked for in searches in these states that found fewer than `below` partners."""
    rows = session.execute(
        text(
            "SELECT needs, state, result_count FROM search_event "
            "WHERE at >= :since AND result_count < :below"
        ),
        {"since": since, "below": below},
    ).fetchall()
    wanted = set(states)
    counts: dict[str, int] = {}
    for needs, state, _count in rows:
        if state not in wanted:
            continue
        for need in needs if isinstance(needs, list) else json.loads(needs):
            counts[need] = counts.get(need, 0) + 1
    taxonomy = get_taxonomy()
    frame = pd.DataFrame(
        [
            {"area_key": k, "area": taxonomy.area_label(k), "searches": v}
            for k, v in counts.items()
            if k in taxonomy.area_keys
        ],
        columns=["area_key", "area", "searches"],
    )
    return frame.sort_values("searches", ascending=False, ignore_index=True)


# Columns computed from a partner's business figures: None unless the viewer may see them.
FIGURE_COLUMNS = ("co_marketing_funds_usd", "co_marketing_roi", "revenue_growth", "revenue_usd")


def visible_partner_rows(
    session: Session, viewer: AccountPublic | None, index: ReadIndex, states: tuple[str, ...]
) -> np.ndarray:
    """Index rows of the region's partners whose individual rows the viewer may see."""
    rows = partner_rows_in_states(index, states)
    allowed = individually_visible_ids(session, viewer, index.partner_ids[rows].tolist())
    return rows[np.isin(index.partner_ids[rows], np.fromiter(allowed, dtype=np.int64))]


def _figures_frame(
    session: Session, viewer: AccountPublic | None, ids: np.ndarray, now: datetime
) -> pd.DataFrame:
    years = range(now.year - 2, now.year + 1)
    shown = visible_figures(session, viewer, ids.tolist(), years=years)
    return pd.DataFrame(
        [
            (pid, f.year, f.revenue_usd, f.comarketing_funds_usd)
            for pid, by_year in shown.items()
            for f in by_year.values()
        ],
        columns=["partner_id", "year", "revenue_usd", "comarketing_funds_usd"],
    )


def _own_leads_filter(session: Session, viewer: AccountPublic | None) -> tuple[str, dict[str, str]]:
    """For a vendor viewer, SQL that keeps only the leads it sourced (its vendor_name): a
    member's leads from other vendors or from the directory are not the vendor's business."""
    current = current_viewer(session, viewer)
    if current is not None and current.role == ROLE_VENDOR and current.vendor_name:
        return _VENDOR_ONLY, {"vendor": current.vendor_name}
    return "", {}


_VENDOR_ONLY = " AND vendor_name = :vendor"
_BENCHMARK_LEADS = (
    "SELECT partner_id, status, source, value_usd, created_at, first_response_at "
    "FROM lead WHERE created_at >= :since"
)
_FUNNEL_LEADS = "SELECT partner_id, status FROM lead WHERE created_at >= :since"


def partner_benchmarks(
    *,
    session: Session,
    viewer: AccountPublic | None,
    index: ReadIndex,
    states: tuple[str, ...],
    now: datetime | None = None,
) -> pd.DataFrame:
    """One row per partner in the region the viewer may see individually: leads, reporting,
    wins, co-marketing ROI, growth. For a vendor: its active members only, and of their
    leads only the ones it sourced (vendor_name); revenue, growth, funds and ROI only of
    those that share their figures with it (None otherwise, and ``figures_shared`` False).
    Superseded by core.analytics.program_members.member_scorecard (SQL, the vendor's own
    funds); kept while pages/vendor_region.py still shows it."""
    now = now or utc_now()
    rows = visible_partner_rows(session, viewer, index, states)
    ids = index.partner_ids[rows]
    base = pd.DataFrame(
        {
            "partner_id": ids,
            "name": index.names.take(rows).to_pylist(),
            "hq": index.hq_city.take(rows).to_pylist(),
        }
    )
    if base.empty:
        return base
    year_ago = now - timedelta(days=365)
    vendor_sql, params = _own_leads_filter(session, viewer)
    leads = pd.DataFrame(
        session.execute(
            text(_BENCHMARK_LEADS + vendor_sql),  # constants only; values are bound
            {"since": year_ago, **params},
        ).fetchall(),
        columns=["partner_id", "status", "source", "value_usd", "created_at", "first_response_at"],
    )
    leads = leads[leads["partner_id"].isin(ids)]
    created = pd.to_datetime(leads["created_at"], utc=True, format="mixed")
    responded = pd.to_datetime(leads["first_response_at"], utc=True, format="mixed")
    leads = leads.assign(
        reported=(responded - created) <= pd.Timedelta(days=REPORTING_WINDOW_DAYS),
        won=leads["status"] == "won",
        closed=leads["status"].isin(["won", "lost"]),
        won_value=np.where(leads["status"] == "won", leads["value_usd"].fillna(0.0), 0.0),
        co_won_value=np.where(
            (leads["status"] == "won") & (leads["source"] == "co_marketing"),
            leads["value_usd"].fillna(0.0),
            0.0,
        ),
    )
    per_partner = leads.groupby("partner_id").agg(
        leads=("status", "size"),
        reported=("reported", "sum"),
        won=("won", "sum"),
        closed=("closed", "sum"),
        won_value_usd=("won_value", "sum"),
        co_marketing_won_usd=("co_won_value", "sum"),
    )
    figures = _figures_frame(session, viewer, ids, now)
    latest_year = int(figures["year"].max()) if len(figures) else now.year
    latest = figures[figures["year"] == latest_year].set_index("partner_id")
    previous = figures[figures["year"] == latest_year - 1].set_index("partner_id")
    out = base.join(per_partner, on="partner_id").fillna(
        {"leads": 0, "reported": 0, "won": 0, "closed": 0, "won_value_usd": 0.0}
    )
    out["co_marketing_won_usd"] = out["co_marketing_won_usd"].fillna(0.0)
    out["reporting_rate"] = (out["reported"] / out["leads"].where(out["leads"] > 0)).round(2)
    out["win_rate"] = (out["won"] / out["closed"].where(out["closed"] > 0)).round(2)
    out["co_marketing_funds_usd"] = out["partner_id"].map(latest["comarketing_funds_usd"])
    funds = out["co_marketing_funds_usd"].where(out["co_marketing_funds_usd"] > 0)
    out["co_marketing_roi"] = (out["co_marketing_won_usd"] / funds).round(2)
    revenue_now = out["partner_id"].map(latest["revenue_usd"])
    revenue_before = out["partner_id"].map(previous["revenue_usd"])
    out["revenue_growth"] = (
        (revenue_now - revenue_before) / revenue_before.where(revenue_before > 0)
    ).round(3)
    out["revenue_usd"] = revenue_now
    for column in ("leads", "reported", "won", "closed"):
        out[column] = out[column].astype(int)
    shared = figures_visible_ids(session, viewer, ids.tolist())
    out["figures_shared"] = out["partner_id"].isin(list(shared))
    for column in FIGURE_COLUMNS:  # hidden or missing: None, never a made-up 0 or NaN
        out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out.sort_values(
        ["won_value_usd", "partner_id"], ascending=[False, True], ignore_index=True
    )


def lead_funnel(
    *,
    session: Session,
    viewer: AccountPublic | None,
    index: ReadIndex,
    states: tuple[str, ...],
    since: datetime,
) -> pd.DataFrame:
    """Leads by status, in life-cycle order, of the region's partners the viewer may see
    individually (a vendor: its active members, and only the leads it sourced), the same
    partners and leads as the benchmark."""
    ids = set(index.partner_ids[visible_partner_rows(session, viewer, index, states)].tolist())
    vendor_sql, params = _own_leads_filter(session, viewer)
    rows = session.execute(
        text(_FUNNEL_LEADS + vendor_sql),
        {"since": since, **params},
    ).fetchall()
    counts = dict.fromkeys(("new", "engaged", "nurture", "qualified_out", "won", "lost"), 0)
    for partner_id, status in rows:
        if partner_id in ids and status in counts:
            counts[status] += 1
    labels = [LEAD_STATUS_LABELS[s].lower() for s in counts]
    return pd.DataFrame({"status": labels, "leads": list(counts.values())})
