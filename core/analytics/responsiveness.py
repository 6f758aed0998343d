"""How partners answer their leads: the summary's definition (in SQL) and how it is shown.

The worker writes one ``partner_responsiveness`` row per partner with leads in the last 12
months (core.directory.responsiveness); profiles, search and the vendor scorecard read it.
This module holds what they share: the aggregate itself (one SELECT, the same on SQLite and
PostgreSQL but for three small date expressions), the thresholds, and the sentences.

Rules, all decided in the database:

* A lead counts when it was given to a partner in the last 365 days and either has a first
  response, or arrived at least 96 hours ago: by then even a Friday lead's two business
  days are over, so a lead that is simply too new never lowers a partner's figures.
* "Within 2 business days": Monday to Friday count, Saturday and Sunday do not, in UTC
  (leads carry no time zone of the partner), no public holidays. A lead arriving Monday to
  Wednesday has 48 hours; Thursday or Friday 96 hours (the weekend is skipped); Saturday
  until Wednesday 00:00 (96 h minus the hour of day it arrived), Sunday likewise (72 h minus
  the hour of day). That is exactly "two whole business days of 24 hours".
* The median first response is over the answered leads, computed with window functions
  (row_number and count per partner) so it stays in the database on both dialects.
* Nothing is shown, filtered on or ranked by with fewer than ``MIN_LEADS`` leads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Float, Integer, Select, and_, case, cast, func, or_, select
from sqlmodel import Session

from core.models import Lead, LeadFeedback, PartnerResponsiveness
from core.search.responsiveness import MIN_LEADS, RESPONSIVE_SHARE
from core.tables import table_of

WINDOW_DAYS = 365
# An unanswered lead counts once even a Friday lead's two business days have passed.
SETTLE_HOURS = 96
CUSTOMERS_MIN = 5  # customers' confirmations are shown from this many answers
REFRESH_EVERY = timedelta(hours=1)  # the worker recomputes every summary at most this often

LEAD = table_of(Lead)
FEEDBACK = table_of(LeadFeedback)
SUMMARY = table_of(PartnerResponsiveness)
SUMMARY_COLUMNS = (
    "partner_id", "leads", "answered", "within_two_business_days", "median_response_hours",
    "customers_asked", "customers_contacted",
)  # fmt: skip


def _hours(dialect: str, start: Any, end: Any) -> Any:
    if dialect == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * 24.0
    return cast(func.extract("epoch", end - start), Float) / 3600.0


def _weekday(dialect: str, moment: Any) -> Any:
    """0 = Sunday … 6 = Saturday on both dialects."""
    if dialect == "sqlite":
        return cast(func.strftime("%w", moment), Integer)
    return cast(func.extract("dow", moment), Integer)


def _hour_of_day(dialect: str, moment: Any) -> Any:
    if dialect == "sqlite":
        return (func.julianday(moment) - func.julianday(func.date(moment))) * 24.0
    return cast(func.extract("epoch", moment - func.date_trunc("day", moment)), Float) / 3600.0


def allowed_hours(dialect: str, arrived: Any) -> Any:
    """Hours from arrival to the end of two business days (see the module)."""
    day = _weekday(dialect, arrived)
    hour = _hour_of_day(dialect, arrived)
    return case(
        (day.in_((4, 5)), 96.0),  # Thursday, Friday: the weekend falls inside
        (day == 6, 96.0 - hour),  # Saturday: until Wednesday 00:00
        (day == 0, 72.0 - hour),  # Sunday: until Wednesday 00:00
        else_=48.0,
    )


def counted_leads(now: datetime) -> list[Any]:
    """The leads a summary rests on (see the module): conditions on ``lead``."""
    return [
        LEAD.c.partner_id.is_not(None),
        LEAD.c.created_at >= now - timedelta(days=WINDOW_DAYS),
        LEAD.c.created_at <= now,
        or_(
            LEAD.c.first_response_at.is_not(None),
            LEAD.c.created_at <= now - timedelta(hours=SETTLE_HOURS),
        ),
    ]


def summary_select(dialect: str, *, now: datetime, partner_id: int | None = None) -> Select[Any]:
    """One row per partner with counted leads: SUMMARY_COLUMNS, in that order."""
    hours = _hours(dialect, LEAD.c.created_at, LEAD.c.first_response_at)
    counted = counted_leads(now)
    if partner_id is not None:
        counted.append(LEAD.c.partner_id == partner_id)
    base = (
        select(
            LEAD.c.partner_id.label("partner_id"),
            hours.label("hours"),
            allowed_hours(dialect, LEAD.c.created_at).label("allowed"),
            FEEDBACK.c.lead_id.label("asked"),
            FEEDBACK.c.contacted.label("contacted"),
        )
        .select_from(LEAD.outerjoin(FEEDBACK, FEEDBACK.c.lead_id == LEAD.c.id))
        .where(*counted)
        .cte("counted_leads")
    )
    ranked = (
        select(
            base.c.partner_id,
            base.c.hours,
            func.row_number()
            .over(partition_by=base.c.partner_id, order_by=base.c.hours)
            .label("position"),
            func.count().over(partition_by=base.c.partner_id).label("answered"),
        )
        .where(base.c.hours.is_not(None))
        .cte("ranked_answers")
    )
    # The middle answer, or the mean of the two middle ones: (n+1)//2 and (n+2)//2.
    middle = or_(
        ranked.c.position == (ranked.c.answered + 1) // 2,
        ranked.c.position == (ranked.c.answered + 2) // 2,
    )
    medians = (
        select(ranked.c.partner_id, func.avg(ranked.c.hours).label("median"))
        .where(middle)
        .group_by(ranked.c.partner_id)
        .cte("median_answers")
    )
    within = and_(base.c.hours.is_not(None), base.c.hours <= base.c.allowed)
    return (
        select(
            base.c.partner_id,
            func.count(),
            func.count(base.c.hours),
            func.sum(case((within, 1), else_=0)),
            func.max(medians.c.median),
            func.count(base.c.asked),
            func.sum(case((base.c.contacted.is_(True), 1), else_=0)),
        )
        .select_from(base.outerjoin(medians, medians.c.partner_id == base.c.partner_id))
        # A WHERE of its own: SQLite needs one in the SELECT of an INSERT … ON CONFLICT.
        .where(base.c.partner_id.is_not(None))
        .group_by(base.c.partner_id)
    )


@dataclass(frozen=True)
class Responsiveness:
    """One partner's summary, as profiles, search and the scorecard show it."""

    leads: int
    answered: int
    within_two_business_days: int
    median_response_hours: float | None
    customers_asked: int
    customers_contacted: int
    computed_at: datetime | None = None

    @property
    def enough(self) -> bool:
        return self.leads >= MIN_LEADS

    @property
    def answered_share(self) -> float:
        return self.answered / self.leads if self.leads else 0.0

    @property
    def within_share(self) -> float:
        return self.within_two_business_days / self.leads if self.leads else 0.0

    @property
    def responsive(self) -> bool:
        """What the search filter "answers within 2 business days" keeps."""
        return self.enough and self.within_share >= RESPONSIVE_SHARE

    @property
    def contacted_share(self) -> float | None:
        if self.customers_asked < CUSTOMERS_MIN:
            return None
        return self.customers_contacted / self.customers_asked


def load_responsiveness(*, session: Session, partner_id: int) -> Responsiveness | None:
    row = session.get(PartnerResponsiveness, partner_id)
    if row is None:
        return None
    return Responsiveness(
        leads=row.leads,
        answered=row.answered,
        within_two_business_days=row.within_two_business_days,
        median_response_hours=row.median_response_hours,
        customers_asked=row.customers_asked,
        customers_contacted=row.customers_contacted,
        computed_at=row.computed_at,
    )


def percent(share: float) -> str:
    return f"{round(share * 100):.0f} %"


def hours_text(hours: float) -> str:
    """'under 1 h', '5 h', '2 days'."""
    if hours < 1:
        return "under 1 h"
    if hours < 48:
        return f"{round(hours):.0f} h"
    return f"{round(hours / 24):.0f} days"


def responsiveness_lines(summary: Responsiveness | None) -> list[str]:
    """The profile's sentences; one "not enough" line below MIN_LEADS leads."""
    if summary is None or not summary.enough:
        return ["Not enough leads yet to show responsiveness."]
    first = f"Answers {percent(summary.answered_share)} of leads"
    if summary.median_response_hours is not None:
        first += f" · median first response {hours_text(summary.median_response_hours)}"
    first += f" · based on {summary.leads} leads in the last 12 months"
    lines = [first + ".", f"{percent(summary.within_share)} answered within 2 business days."]
    contacted = summary.contacted_share
    if contacted is not None:
        lines.append(
            f"{summary.customers_contacted} of {summary.customers_asked} customers who were "
            f"asked confirm the partner contacted them ({percent(contacted)})."
        )
    return lines


# The public figures a vendor's member scorecard shows beside its own (None below MIN_LEADS).
PUBLIC_RESPONSIVENESS_COLUMNS = (
    "all_leads_12_months",
    "answered_share",
    "answered_in_two_days_share",
    "all_leads_median_response_hours",
)


def public_responsiveness(*, session: Session, partner_ids: list[int]) -> dict[int, dict[str, Any]]:
    """partner -> PUBLIC_RESPONSIVENESS_COLUMNS, for partners with MIN_LEADS leads or more
    (the profile shows nothing below that, so neither does the scorecard)."""
    if not partner_ids:
        return {}
    rows = session.execute(
        select(
            SUMMARY.c.partner_id,
            SUMMARY.c.leads,
            SUMMARY.c.answered,
            SUMMARY.c.within_two_business_days,
            SUMMARY.c.median_response_hours,
        ).where(SUMMARY.c.partner_id.in_(partner_ids), SUMMARY.c.leads >= MIN_LEADS)
    ).all()
    return {
        int(pid): {
            "all_leads_12_months": int(leads),
            "answered_share": round(answered / leads, 2),
            "answered_in_two_days_share": round(within / leads, 2),
            "all_leads_median_response_hours": None if median is None else round(median, 1),
        }
        for pid, leads, answered, within, median in rows
    }
