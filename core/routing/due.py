"""Routing's worker jobs: expire offers past their deadline (and pass the lead on), remind
before a deadline, and route leads nobody has offered yet.

Each item is one unit of work. Several workers may run these at once on one PostgreSQL: an
offer is picked with ``FOR UPDATE SKIP LOCKED`` (a second worker skips it instead of waiting)
and moved by a guarded UPDATE on ``status = 'open'``, so each offer moves exactly once and
each lead gets one next offer. On SQLite (one writer) the guarded UPDATE alone suffices.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import CursorResult, Engine, and_, exists, update
from sqlmodel import Session, col, select

from core.db import session_scope
from core.errors import is_database_unavailable
from core.models import (
    OFFER_EXPIRED,
    OFFER_OPEN,
    CampaignRouting,
    Lead,
    LeadOffer,
    RoutingEvent,
)
from core.routing.candidates import cooling_partner_ids
from core.routing.messages import enqueue_reminder
from core.routing.offers import (
    EVENT_COOLING,
    EVENT_EXPIRED,
    EVENT_NO_CANDIDATE,
    add_event,
    audit_lead,
    route_lead,
)
from core.settings import get_settings

LOG = logging.getLogger(__name__)
MAX_PER_PASS = 500  # items per job and pass: a backlog is worked off over a few passes
RETRY_NO_CANDIDATE = timedelta(hours=1)  # a lead nobody qualified for is tried again after
REMIND_WITHIN = timedelta(hours=12)
REMIND_SHARE = 0.25  # remind when less than this share of the window is left (and < 12 h)


def _claim_due_offer(session: Session, now: datetime, skip: set[int]) -> LeadOffer | None:
    statement = (
        select(LeadOffer)
        .where(LeadOffer.status == OFFER_OPEN, col(LeadOffer.expires_at) <= now)
        .order_by(col(LeadOffer.expires_at), col(LeadOffer.id))
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if skip:
        statement = statement.where(col(LeadOffer.id).not_in(skip))
    return session.exec(statement).first()


def expire_one(session: Session, offer: LeadOffer, now: datetime) -> bool:
    """Mark one due offer expired (once), note cooling, and offer the lead to the next."""
    result = session.execute(
        update(LeadOffer)
        .where(col(LeadOffer.id) == offer.id, col(LeadOffer.status) == OFFER_OPEN)
        .values(status=OFFER_EXPIRED)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)  # what an UPDATE returns; typed as Result
    if result.rowcount != 1:
        return False
    add_event(session, offer.lead_id, EVENT_EXPIRED, now, offer.partner_id, "no answer in time")
    audit_lead(
        session, offer.lead_id, "offer_expired",
        {"offer_id": offer.id, "partner_id": offer.partner_id},
    )  # fmt: skip
    session.flush()
    if offer.partner_id in cooling_partner_ids(session, [offer.partner_id], now):
        hours = get_settings().offer_cooling_hours
        add_event(
            session, offer.lead_id, EVENT_COOLING, now, offer.partner_id,
            f"{get_settings().offer_expiry_streak} offers in a row expired: no offers for "
            f"{hours} hours",
        )  # fmt: skip
    route_lead(session=session, lead_id=offer.lead_id, now=now)
    return True


def expire_due_offers(engine: Engine, now: datetime) -> int:
    """Open offers past their deadline → expired, and their leads to the next candidate."""
    moved, seen = 0, set[int]()
    for _ in range(MAX_PER_PASS):
        try:
            with session_scope(engine) as session:
                offer = _claim_due_offer(session, now, seen)
                if offer is None:
                    break
                seen.add(offer.id or 0)  # tried once per pass, whatever happens
                done = expire_one(session, offer, now)
            moved += done
        except Exception as exc:
            if is_database_unavailable(exc):
                raise  # not this offer's fault: the worker logs the outage once (loop.py)
            # One offer that fails (rolled back) must not hold back the others; it stays
            # open and due, so the next pass tries it again.
            LOG.exception("Could not expire a lead offer; the next pass tries again.")
    return moved


def remind_due_offers(engine: Engine, now: datetime) -> int:
    """One offer_reminder per open offer when less than a quarter of its window (and less
    than 12 hours) is left. ``reminded_at`` is set by a guarded UPDATE and the message has a
    dedup key, so two workers remind once."""
    with Session(engine) as session:
        rows = session.exec(
            select(LeadOffer.id, LeadOffer.offered_at, LeadOffer.expires_at)
            .where(LeadOffer.status == OFFER_OPEN, col(LeadOffer.reminded_at).is_(None))
            .where(col(LeadOffer.expires_at) > now)
            .where(col(LeadOffer.expires_at) <= now + REMIND_WITHIN)
            .order_by(col(LeadOffer.expires_at))
            .limit(MAX_PER_PASS)
        ).all()
    due = [oid for oid, start, end in rows if (end - now) < (end - start) * REMIND_SHARE]
    sent = 0
    for offer_id in due:
        with session_scope(engine) as session:
            result = session.execute(
                update(LeadOffer)
                .where(col(LeadOffer.id) == offer_id, col(LeadOffer.status) == OFFER_OPEN)
                .where(col(LeadOffer.reminded_at).is_(None))
                .values(reminded_at=now)
                .execution_options(synchronize_session=False)
            )
            assert isinstance(result, CursorResult)
            if result.rowcount != 1:
                continue
            offer = session.get(LeadOffer, offer_id)
            lead = session.get(Lead, offer.lead_id) if offer is not None else None
            assert offer is not None and lead is not None
            enqueue_reminder(session, offer, lead)
            audit_lead(session, offer.lead_id, "offer_reminder", {"offer_id": offer_id})
            sent += 1
    return sent


def unrouted_lead_ids(session: Session, now: datetime, limit: int = MAX_PER_PASS) -> list[int]:
    """Leads of campaigns with routing on, unassigned and new, without an open offer, and
    not given up on lately: no "no candidate" step within the last hour, nor since the
    rules last changed (new rules get a new try at once)."""
    open_offer = exists().where(
        col(LeadOffer.lead_id) == col(Lead.id), col(LeadOffer.status) == OFFER_OPEN
    )
    recent_no_candidate = exists().where(
        and_(
            col(RoutingEvent.lead_id) == col(Lead.id),
            col(RoutingEvent.kind) == EVENT_NO_CANDIDATE,
            col(RoutingEvent.at) > now - RETRY_NO_CANDIDATE,
            col(RoutingEvent.at) > col(CampaignRouting.updated_at),
        )
    )
    rows = session.exec(
        select(Lead.id)
        .join(CampaignRouting, col(CampaignRouting.campaign_id) == Lead.campaign_id)
        .where(col(CampaignRouting.enabled).is_(True))
        .where(col(Lead.partner_id).is_(None), Lead.status == "new")
        .where(~open_offer, ~recent_no_candidate)
        .order_by(col(Lead.created_at), col(Lead.id))
        .limit(limit)
    ).all()
    return [int(i) for i in rows if i is not None]


def route_unrouted_leads(engine: Engine, now: datetime) -> int:
    """Offer every routable lead that waits (see ``unrouted_lead_ids``); returns offers made."""
    with Session(engine) as session:
        lead_ids = unrouted_lead_ids(session, now)
    offered = 0
    for lead_id in lead_ids:
        try:
            with session_scope(engine) as session:
                # route_lead locks the lead and re-checks it: another worker may have routed it.
                made = route_lead(session=session, lead_id=lead_id, now=now) is not None
            offered += made
        except Exception as exc:
            if is_database_unavailable(exc):
                raise  # not this lead's fault: the worker logs the outage once (loop.py)
            LOG.exception("Could not route lead %s; the next pass tries again.", lead_id)
    return offered
