"""My standing: a partner's own business over time and its leads against last year.

Confidential and the partner's own, so every function takes the viewer and asks here:
business figures follow core.confidentiality (the partner, administrators, and vendors it
consents to); the lead figures are the partner's and administrators' only. Both aggregate
in the database: one GROUP BY per period, the median with window functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Float, and_, case, cast, func, literal, or_, select
from sqlmodel import Session

from core.access import PermissionDenied
from core.analytics.program_scope import LEAD, hours_between, ratio
from core.confidentiality import current_viewer, figures_visible_ids, visible_figures
from core.models import ROLE_ADMIN, ROLE_PARTNER, AccountPublic

PERIOD_DAYS = 365
THIS_YEAR, LAST_YEAR = "this", "last"  # the last 12 months, and the 12 before them
FUNNEL = ("received", "engaged", "won", "lost", "qualified_out", "open")


def ensure_standing_viewer(
    session: Session, viewer: AccountPublic | None, partner_id: int
) -> AccountPublic:
    """The viewer as the database knows it, if it may read ``partner_id``'s standing: the
    partner's own accounts and administrators. Vendors see figures only through their
    program pages, never a member's leads, peers or gaps."""
    current = current_viewer(session, viewer)
    if current is None:
        raise PermissionDenied("Please sign in first.")
    if current.role == ROLE_ADMIN:
        return current
    if current.role == ROLE_PARTNER and current.partner_id == partner_id:
        return current
    raise PermissionDenied("A partner's standing is visible to that partner only.")


@dataclass(frozen=True)
class FigureYear:
    year: int
    revenue_usd: float
    headcount: int | None
    revenue_growth: float | None  # vs the year before; None without it (or from 0)
    headcount_growth: float | None


def figures_over_time(
    *, session: Session, viewer: AccountPublic | None, partner_id: int
) -> list[FigureYear]:
    """The partner's yearly figures, oldest first, with year-over-year growth.

    Read through core.confidentiality.visible_figures, the one reader of the table: a viewer
    it does not let see this partner is refused (not shown an empty history)."""
    if partner_id not in figures_visible_ids(session, viewer, [partner_id]):
        raise PermissionDenied("These business figures are confidential.")
    figures = visible_figures(session, viewer, [partner_id]).get(partner_id, {})
    rows = []
    for year in sorted(figures):
        now, before = figures[year], figures.get(year - 1)
        rows.append(
            FigureYear(
                year=year,
                revenue_usd=now.revenue_usd,
                headcount=now.headcount,
                revenue_growth=growth(now.revenue_usd, before.revenue_usd if before else None),
                headcount_growth=growth(now.headcount, before.headcount if before else None),
            )
        )
    return rows


def growth(current: float | None, previous: float | None) -> float | None:
    """(current − previous) ÷ previous, None when either is missing or previous is 0."""
    if current is None or not previous:
        return None
    return round((float(current) - float(previous)) / float(previous), 4)


@dataclass(frozen=True)
class LeadPeriod:
    """One 12-month period of a partner's leads (by the day each arrived)."""

    received: int = 0
    engaged: int = 0  # ever became an engaged opportunity
    won: int = 0
    lost: int = 0
    qualified_out: int = 0
    open: int = 0  # new or nurture: not decided yet
    median_first_response_hours: float | None = None

    @property
    def win_rate(self) -> float | None:
        """Won ÷ decided (won + lost), the scorecard's definition; None before any."""
        return ratio(self.won, self.won + self.lost, digits=4)


def lead_periods(
    *, session: Session, viewer: AccountPublic | None, partner_id: int, now: datetime
) -> dict[str, LeadPeriod]:
    """THIS_YEAR (the last 365 days) and LAST_YEAR (the 365 before), each a LeadPeriod."""
    ensure_standing_viewer(session, viewer, partner_id)
    start = now - timedelta(days=2 * PERIOD_DAYS)
    middle = now - timedelta(days=PERIOD_DAYS)
    period = case((LEAD.c.created_at > middle, literal(THIS_YEAR)), else_=literal(LAST_YEAR))
    mine = and_(
        LEAD.c.partner_id == partner_id, LEAD.c.created_at > start, LEAD.c.created_at <= now
    )

    def flag(condition: Any) -> Any:
        return func.sum(case((condition, 1), else_=0))

    counts = session.execute(
        select(
            period.label("period"),
            func.count(),
            flag(LEAD.c.engaged_at.is_not(None)),
            flag(LEAD.c.status == "won"),
            flag(LEAD.c.status == "lost"),
            flag(LEAD.c.status == "qualified_out"),
            flag(or_(LEAD.c.status == "new", LEAD.c.status == "nurture")),
        )
        .where(mine)
        .group_by(period)
    ).all()
    medians = _median_hours(session, period, mine)
    periods = {THIS_YEAR: LeadPeriod(), LAST_YEAR: LeadPeriod()}
    for name, received, engaged, won, lost, out, open_ in counts:
        periods[name] = LeadPeriod(
            received=int(received), engaged=int(engaged or 0), won=int(won or 0),
            lost=int(lost or 0), qualified_out=int(out or 0), open=int(open_ or 0),
            median_first_response_hours=medians.get(name),
        )  # fmt: skip
    return periods


def _median_hours(session: Session, period: Any, mine: Any) -> dict[str, float]:
    """Median hours to first response per period, over the answered leads: the middle row
    (or the mean of the two middle rows) by row_number, in the database."""
    hours = cast(hours_between(session, LEAD.c.created_at, LEAD.c.first_response_at), Float)
    answered = (
        select(period.label("period"), hours.label("hours"))
        .where(mine, LEAD.c.first_response_at.is_not(None))
        .cte("answered")
    )
    ranked = select(
        answered.c.period,
        answered.c.hours,
        func.row_number()
        .over(partition_by=answered.c.period, order_by=answered.c.hours)
        .label("position"),
        func.count().over(partition_by=answered.c.period).label("n"),
    ).cte("ranked")
    middle = or_(
        ranked.c.position == (ranked.c.n + 1) // 2, ranked.c.position == (ranked.c.n + 2) // 2
    )
    rows = session.execute(
        select(ranked.c.period, func.avg(ranked.c.hours)).where(middle).group_by(ranked.c.period)
    ).all()
    return {name: round(float(value), 1) for name, value in rows if value is not None}
