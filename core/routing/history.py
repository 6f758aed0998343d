"""The vendor's side of routing: every step of a lead's or a campaign's routing, with the
members' names and the reasons nobody qualified, and offer counts per campaign.

Only the campaign's vendor's own accounts and administrators read them (offers go to that
vendor's members only, so the names are of its own members).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from core.models import (
    OFFER_STATUSES,
    AccountPublic,
    Campaign,
    Lead,
    LeadOffer,
    Partner,
    RoutingEvent,
)
from core.programs.versioned import ensure_vendor
from core.routing.rules import RoutingError

MAX_ROWS = 500
DOING = "read its routing history"


@dataclass(frozen=True)
class RoutingStep:
    at: datetime
    lead_id: int
    kind: str  # offered, accepted, declined, expired, no_candidate, cooling
    partner_id: int | None
    partner_name: str
    detail: str


def _steps(session: Session, *where: object, limit: int) -> list[RoutingStep]:
    rows = session.exec(
        select(RoutingEvent, Partner.name)
        .join(Partner, col(Partner.id) == RoutingEvent.partner_id, isouter=True)
        .where(*where)  # type: ignore[arg-type]
        .order_by(col(RoutingEvent.at).desc(), col(RoutingEvent.id).desc())
        .limit(max(1, min(limit, MAX_ROWS)))
    ).all()
    return [
        RoutingStep(
            at=event.at,
            lead_id=event.lead_id,
            kind=event.kind,
            partner_id=event.partner_id,
            partner_name=name or "",
            detail=event.detail,
        )
        for event, name in rows
    ]


def lead_routing_history(
    *, session: Session, actor: AccountPublic | None, lead_id: int, limit: int = MAX_ROWS
) -> list[RoutingStep]:
    """The lead's routing steps, newest first."""
    lead = session.get(Lead, lead_id)
    if lead is None or not lead.vendor_name:
        raise RoutingError("That lead has no routing history.")
    ensure_vendor(session, actor, lead.vendor_name, doing=DOING)
    return _steps(session, RoutingEvent.lead_id == lead_id, limit=limit)


def _campaign(session: Session, actor: AccountPublic | None, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise RoutingError("That campaign does not exist.")
    ensure_vendor(session, actor, campaign.vendor, doing=DOING)
    return campaign


def campaign_routing_history(
    *, session: Session, actor: AccountPublic | None, campaign_id: int, limit: int = 200
) -> list[RoutingStep]:
    """The routing steps of the campaign's leads, newest first."""
    _campaign(session, actor, campaign_id)
    leads = select(Lead.id).where(Lead.campaign_id == campaign_id)
    return _steps(session, col(RoutingEvent.lead_id).in_(leads), limit=limit)


def offer_counts(
    *, session: Session, actor: AccountPublic | None, vendor: str
) -> dict[int, dict[str, int]]:
    """Per campaign of ``vendor``: how many offers are open, accepted, declined, expired
    (and withdrawn), counted in the database."""
    ensure_vendor(session, actor, vendor, doing=DOING)
    rows = session.exec(
        select(LeadOffer.campaign_id, LeadOffer.status, func.count())
        .where(LeadOffer.vendor == vendor, col(LeadOffer.campaign_id).is_not(None))
        .group_by(col(LeadOffer.campaign_id), col(LeadOffer.status))
    ).all()
    counts: dict[int, dict[str, int]] = {}
    for campaign_id, status, n in rows:
        counts.setdefault(int(campaign_id or 0), dict.fromkeys(OFFER_STATUSES, 0))[status] = int(n)
    return counts
