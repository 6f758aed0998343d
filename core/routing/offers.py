"""Offering a lead to one member at a time, and the member's answer.

``route_lead`` makes the next offer (or records why nobody qualifies); ``accept_offer``
gives the lead to the member; ``decline_offer`` passes it on in the same unit of work.
Every step is a ``RoutingEvent`` (the history the vendor reads) with a "lead" audit event.
One lead has at most one open offer: ``route_lead`` locks the lead row (FOR UPDATE on
PostgreSQL) and looks for an open offer before it makes one, and answers are guarded
UPDATEs on ``status = 'open'``, so two clicks or two workers cannot both move an offer.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, func, update
from sqlmodel import Session, col, select

from core.access import PermissionDenied, fresh_actor
from core.audit import record_change
from core.confidentiality import active_member_ids
from core.leads.lifecycle import detached, lead_audit_fields
from core.models import (
    OFFER_ACCEPTED,
    OFFER_DECLINED,
    OFFER_OPEN,
    ROLE_ADMIN,
    ROLE_PARTNER,
    AccountPublic,
    Campaign,
    CampaignRouting,
    Lead,
    LeadOffer,
    MaxLength,
    RoutingEvent,
    clean_text,
)
from core.routing.candidates import choose, find_candidates
from core.routing.messages import enqueue_offer
from core.routing.rules import RoutingError

ROUTING_LABEL = "lead routing"  # the audit trail's actor for what the worker does
EVENT_OFFERED, EVENT_ACCEPTED, EVENT_DECLINED = "offered", "accepted", "declined"
EVENT_EXPIRED, EVENT_NO_CANDIDATE, EVENT_COOLING = "expired", "no_candidate", "cooling"


def audit_lead(
    session: Session,
    lead_id: int,
    action: str,
    after: dict[str, Any],
    *,
    actor: AccountPublic | None = None,
    before: dict[str, Any] | None = None,
) -> None:
    record_change(
        session=session, actor=actor, actor_label=None if actor else ROUTING_LABEL,
        entity_type="lead", entity_id=lead_id, action=action, before=before or {}, after=after,
    )  # fmt: skip


def add_event(
    session: Session, lead_id: int, kind: str, now: datetime, partner_id: int | None, detail: str
) -> None:
    session.add(
        RoutingEvent(
            lead_id=lead_id, at=now, kind=kind, partner_id=partner_id,
            detail=detail[: MaxLength.NOTE],
        )
    )  # fmt: skip


def detached_offer(row: LeadOffer) -> LeadOffer:
    return LeadOffer.model_validate(row.model_dump())


def _locked_lead(session: Session, lead_id: int) -> Lead | None:
    return session.exec(
        select(Lead)
        .where(col(Lead.id) == lead_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def _no_candidate(session: Session, lead: Lead, reason: str, now: datetime) -> None:
    """Record why nobody qualifies. The same reason as the lead's last step only moves that
    step's time (the retry clock of ``route_unrouted_leads``), so hourly retries do not
    fill the history with copies."""
    last = session.exec(
        select(RoutingEvent)
        .where(RoutingEvent.lead_id == lead.id)
        .order_by(col(RoutingEvent.at).desc(), col(RoutingEvent.id).desc())
        .limit(1)
    ).first()
    if last is not None and last.kind == EVENT_NO_CANDIDATE and last.detail == reason:
        last.at = now
        session.add(last)
    else:
        add_event(session, lead.id or 0, EVENT_NO_CANDIDATE, now, None, reason)
    audit_lead(session, lead.id or 0, "route_no_candidate", {"reason": reason})


def route_lead(*, session: Session, lead_id: int, now: datetime) -> LeadOffer | None:
    """Offer the lead to the next qualifying member; None when it is not routable (assigned,
    answered, no rules, routing off, an offer open) or nobody qualifies (recorded)."""
    lead = _locked_lead(session, lead_id)
    if lead is None or lead.partner_id is not None or lead.status != "new":
        return None
    if lead.campaign_id is None:
        return None
    rules = session.get(CampaignRouting, lead.campaign_id, populate_existing=True)
    campaign = session.get(Campaign, lead.campaign_id)
    if rules is None or not rules.enabled or campaign is None:
        return None
    open_offer = session.exec(
        select(LeadOffer.id).where(LeadOffer.lead_id == lead_id, LeadOffer.status == OFFER_OPEN)
    ).first()
    if open_offer is not None:
        return None
    found = find_candidates(
        session=session, lead=lead, rules=rules, vendor=campaign.vendor, now=now
    )
    if not found.members:
        _no_candidate(session, lead, found.reason or "nobody qualifies", now)
        return None
    attempt = session.exec(
        select(func.count()).select_from(LeadOffer).where(LeadOffer.lead_id == lead_id)
    ).one()
    chosen = choose(
        found.members, fairness=rules.fairness, vendor=campaign.vendor, lead_id=lead_id,
        attempt=int(attempt),
    )  # fmt: skip
    offer = LeadOffer(
        lead_id=lead_id, partner_id=chosen.partner_id, campaign_id=campaign.id,
        vendor=campaign.vendor, status=OFFER_OPEN, offered_at=now,
        expires_at=now + timedelta(hours=rules.accept_hours),
    )  # fmt: skip
    session.add(offer)
    session.flush()
    add_event(
        session, lead_id, EVENT_OFFERED, now, chosen.partner_id,
        f"answer by {offer.expires_at:%b %d, %Y %H:%M} UTC",
    )  # fmt: skip
    enqueue_offer(session, offer, lead)
    audit_lead(
        session, lead_id, "offer",
        {"offer_id": offer.id, "partner_id": chosen.partner_id, "expires_at": offer.expires_at},
    )  # fmt: skip
    return detached_offer(offer)


def _answering(
    session: Session, actor: AccountPublic | None, offer_id: int
) -> tuple[AccountPublic, LeadOffer]:
    current = fresh_actor(session, actor)
    offer = session.get(LeadOffer, offer_id, populate_existing=True)
    if offer is None:
        raise RoutingError("That offer does not exist.")
    mine = current.role == ROLE_PARTNER and current.partner_id == offer.partner_id
    if not (mine or current.role == ROLE_ADMIN):
        raise PermissionDenied("You may only answer offers made to your own organisation.")
    return current, offer


def _close(session: Session, offer_id: int, now: datetime, values: dict[str, Any]) -> None:
    """Compare-and-swap from open (and, for an acceptance, still within its deadline)."""
    statement = update(LeadOffer).where(
        col(LeadOffer.id) == offer_id, col(LeadOffer.status) == OFFER_OPEN
    )
    if values["status"] == OFFER_ACCEPTED:
        statement = statement.where(col(LeadOffer.expires_at) > now)
    result = session.execute(
        statement.values(**values, responded_at=now).execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)  # what an UPDATE returns; typed as Result
    if result.rowcount != 1:
        raise RoutingError(
            "This offer is no longer open: it expired or was answered meanwhile. Reload the page."
        )


def accept_offer(
    *, session: Session, actor: AccountPublic | None, offer_id: int, now: datetime
) -> Lead:
    """The member takes the lead: it lands in its inbox with the customer's details."""
    current, offer = _answering(session, actor, offer_id)
    _close(session, offer_id, now, {"status": OFFER_ACCEPTED})
    if not active_member_ids(session, offer.vendor, [offer.partner_id]):
        raise RoutingError(
            f"Your organisation is no longer an active member of the {offer.vendor} program."
        )
    lead = session.get(Lead, offer.lead_id, populate_existing=True)
    assert lead is not None  # the offer's foreign key
    before = lead_audit_fields(lead)
    # The assignment of core.leads.campaign_leads.assign_lead: still new, still unassigned
    # (the vendor may have given it away by hand meanwhile), held by an active member.
    result = session.execute(
        update(Lead)
        .where(col(Lead.id) == lead.id, col(Lead.status) == "new", col(Lead.partner_id).is_(None))
        .values(partner_id=offer.partner_id, vendor_member=True, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    if result.rowcount != 1:
        raise RoutingError("This lead was given to a partner meanwhile.")
    session.refresh(lead)
    add_event(session, lead.id or 0, EVENT_ACCEPTED, now, offer.partner_id, "")
    record_change(
        session=session, actor=current, entity_type="lead", entity_id=lead.id or 0,
        action="accept_offer", before=before, after=lead_audit_fields(lead),
    )  # fmt: skip
    return detached(lead)


def decline_offer(
    *,
    session: Session,
    actor: AccountPublic | None,
    offer_id: int,
    now: datetime,
    reason: str = "",
) -> LeadOffer | None:
    """The member passes; the lead is offered to the next candidate at once (returned, or
    None when nobody else qualifies)."""
    current, offer = _answering(session, actor, offer_id)
    text = clean_text(reason) or ""
    if len(text) > MaxLength.NOTE:
        raise RoutingError(f"A reason has at most {MaxLength.NOTE} characters.")
    _close(session, offer_id, now, {"status": OFFER_DECLINED, "decline_reason": text})
    add_event(session, offer.lead_id, EVENT_DECLINED, now, offer.partner_id, text)
    record_change(
        session=session, actor=current, entity_type="lead", entity_id=offer.lead_id,
        action="decline_offer", before={"offer_status": OFFER_OPEN},
        after={"offer_status": OFFER_DECLINED, "reason": text},
    )  # fmt: skip
    return route_lead(session=session, lead_id=offer.lead_id, now=now)
