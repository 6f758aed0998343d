"""Demo lead routing: the demo vendors route one running campaign each, and the first demo
partner (partner1) has an open offer of each, so both screens show routing on a fresh start.

Deterministic like the rest of the demo: the campaign and lead are the lowest ids that fit,
and every time is anchored on today's date (UTC midnight), never the clock. The worker
(``python -m core worker``) then routes the other waiting leads of those campaigns, and
expires these offers when their deadline passes.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlmodel import Session, col, select

from core.audit import record_change
from core.confidentiality import active_member_ids
from core.demo.programs import DEMO_VENDORS
from core.models import OFFER_OPEN, CampaignRouting, Lead, LeadOffer, RoutingEvent

ACTOR_LABEL = "demo generator"
# Hours to accept per demo vendor: Microsoft's offer turns "expiring" (< 12 h) later today.
ACCEPT_HOURS = {"Cisco": 72, "Microsoft": 36}
RADIUS_KM = 5000.0  # the whole continental US: a demo campaign reaches every member


def seed_demo_routing(session: Session, *, partner_id: int, today: datetime | None = None) -> int:
    """Rules and one open offer to ``partner_id`` per demo vendor; returns offers made.
    Does nothing when any campaign already has rules (a second start)."""
    if session.exec(select(CampaignRouting.campaign_id).limit(1)).first() is not None:
        return 0
    now = today or datetime.combine(datetime.now(UTC).date(), time(), tzinfo=UTC)
    made = 0
    for vendor in DEMO_VENDORS:
        if not active_member_ids(session, vendor, [partner_id]):
            continue
        lead = session.exec(
            select(Lead)
            .where(Lead.vendor_name == vendor, col(Lead.partner_id).is_(None))
            .where(col(Lead.campaign_id).is_not(None), Lead.status == "new")
            .order_by(col(Lead.id))
            .limit(1)
        ).first()
        if lead is None or lead.campaign_id is None:
            continue
        hours = ACCEPT_HOURS.get(vendor, 48)
        rules = CampaignRouting(
            campaign_id=lead.campaign_id, radius_km=RADIUS_KM, accept_hours=hours, updated_at=now
        )
        offer = LeadOffer(
            lead_id=lead.id or 0, partner_id=partner_id, campaign_id=lead.campaign_id,
            vendor=vendor, status=OFFER_OPEN, offered_at=now,
            expires_at=now + timedelta(hours=hours),
        )  # fmt: skip
        session.add_all([rules, offer])
        session.add(
            RoutingEvent(
                lead_id=lead.id or 0, at=now, kind="offered", partner_id=partner_id,
                detail=f"answer by {offer.expires_at:%b %d, %Y %H:%M} UTC",
            )
        )  # fmt: skip
        session.flush()
        record_change(
            session=session, actor=None, actor_label=ACTOR_LABEL, entity_type="campaign",
            entity_id=lead.campaign_id, action="routing_create", before={},
            after={"radius_km": RADIUS_KM, "accept_hours": hours},
        )  # fmt: skip
        record_change(
            session=session, actor=None, actor_label=ACTOR_LABEL, entity_type="lead",
            entity_id=lead.id or 0, action="offer", before={},
            after={"offer_id": offer.id, "partner_id": partner_id},
        )  # fmt: skip
        made += 1
    return made
