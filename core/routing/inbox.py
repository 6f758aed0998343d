"""The partner's side of routing: its open offers (without the customer's contact details)
and its inbox at a glance (new, offered, expiring, overdue).

Only the partner's own accounts and administrators read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from core.access import PermissionDenied, fresh_actor
from core.models import (
    OFFER_OPEN,
    ROLE_ADMIN,
    ROLE_PARTNER,
    AccountPublic,
    Campaign,
    Lead,
    LeadOffer,
)
from core.routing.messages import where_text

EXPIRING_WITHIN = timedelta(hours=12)
OVERDUE_BUSINESS_DAYS = 2


@dataclass(frozen=True)
class OfferView:
    """An open offer as its partner sees it: what, where and by when; nobody's name,
    email, phone or company until it is accepted."""

    offer_id: int
    lead_id: int
    vendor: str
    campaign: str
    needs: list[str]
    company_size: str
    where: str
    offered_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class InboxGlance:
    new: int  # leads in the inbox not yet answered
    offered: int  # open offers waiting for an answer
    expiring: int  # of which less than 12 hours are left
    overdue: int  # new leads without a first response after 2 business days


def _ensure_own(session: Session, actor: AccountPublic | None, partner_id: int) -> None:
    current = fresh_actor(session, actor)
    if current.role == ROLE_ADMIN:
        return
    if current.role == ROLE_PARTNER and current.partner_id == partner_id:
        return
    raise PermissionDenied("You may only see your own organisation's leads and offers.")


def list_open_offers(
    *, session: Session, actor: AccountPublic | None, partner_id: int, now: datetime
) -> list[OfferView]:
    """The partner's open offers still within their deadline, the most urgent first."""
    _ensure_own(session, actor, partner_id)
    rows = session.exec(
        select(LeadOffer, Lead, Campaign.name)
        .join(Lead, col(Lead.id) == LeadOffer.lead_id)
        .join(Campaign, col(Campaign.id) == LeadOffer.campaign_id, isouter=True)
        .where(LeadOffer.partner_id == partner_id, LeadOffer.status == OFFER_OPEN)
        .where(col(LeadOffer.expires_at) > now)
        # A lead the vendor gave away by hand meanwhile is no longer on offer.
        .where(col(Lead.partner_id).is_(None))
        .order_by(col(LeadOffer.expires_at), col(LeadOffer.id))
    ).all()
    return [
        OfferView(
            offer_id=offer.id or 0,
            lead_id=offer.lead_id,
            vendor=offer.vendor,
            campaign=campaign or "",
            needs=list(lead.needs or []),
            company_size=lead.company_size,
            where=where_text(lead.zip_code),
            offered_at=offer.offered_at,
            expires_at=offer.expires_at,
        )
        for offer, lead, campaign in rows
    ]


def business_days_before(now: datetime, days: int) -> datetime:
    """The moment ``days`` business days (Monday to Friday, 24 h each) before ``now``: a
    lead that came in before it has waited that long, weekends not counted."""
    left, cursor = timedelta(days=days), now
    while left > timedelta(0):
        day = (cursor - timedelta(microseconds=1)).date()
        start = datetime.combine(day, time(), tzinfo=now.tzinfo)
        if day.weekday() < 5:
            take = min(left, cursor - start)
            left -= take
            cursor -= take
        else:
            cursor = start
    return cursor


def inbox_glance(
    *, session: Session, actor: AccountPublic | None, partner_id: int, now: datetime
) -> InboxGlance:
    """The four counts at the top of the partner's inbox, each one aggregate query."""
    _ensure_own(session, actor, partner_id)
    cutoff = business_days_before(now, OVERDUE_BUSINESS_DAYS)
    new = session.exec(
        select(func.count())
        .select_from(Lead)
        .where(Lead.partner_id == partner_id, Lead.status == "new")
    ).one()
    overdue = session.exec(
        select(func.count())
        .select_from(Lead)
        .where(Lead.partner_id == partner_id, Lead.status == "new")
        .where(col(Lead.first_response_at).is_(None), col(Lead.created_at) < cutoff)
    ).one()
    soon = now + EXPIRING_WITHIN
    offered, expiring = session.exec(
        select(
            func.count(),
            func.coalesce(func.sum(case((col(LeadOffer.expires_at) <= soon, 1), else_=0)), 0),
        )
        .join(Lead, col(Lead.id) == LeadOffer.lead_id)
        .where(LeadOffer.partner_id == partner_id, LeadOffer.status == OFFER_OPEN)
        .where(col(LeadOffer.expires_at) > now, col(Lead.partner_id).is_(None))
    ).one()
    return InboxGlance(
        new=int(new), offered=int(offered), expiring=int(expiring), overdue=int(overdue)
    )
