"""Who may be offered a lead under its campaign's rules, and which of them gets it.

The filters run in order, each one SQL query over the members left by the previous one, so
when nobody qualifies the vendor is told which rule emptied the set:

1. active members of the campaign's vendor (of the chosen tiers, when the rules name any)
2. with an office within ``radius_km`` of the lead's ZIP: one query joins the locations in a
   bounding box to the program's members, then the exact great-circle distance
   (core.geo.distance) of the few locations inside it decides;
3. competent in every need of the lead at ``min_level`` or better: the claimed level, or,
   with ``evidence_only``, an approved, unexpired certification evidencing that level;
4. not offered this lead before;
5. fewer than ``max_open_offers`` open offers;
6. not cooling off: a member whose last ``offer_expiry_streak`` offers all expired, the
   latest within ``offer_cooling_hours``, gets no offers until the period has passed.

Fairness among those left (``choose``): round robin gives the lead to the member offered a
lead of this vendor longest ago (never offered: first); weighted by tier gives each member
a weight equal to its tier's rank (lowest tier 1, next 2, ...; no tier 1) and draws with a
number derived from the lead and how many offers it has had, so the same situation always
picks the same member, yet over many leads each member's share follows its weight.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, exists, func, or_
from sqlmodel import Session, col, select

from core.geo.distance import EARTH_RADIUS_KM, haversine_km
from core.geo.places import lookup_zip
from core.models import (
    CERT_APPROVED,
    OFFER_EXPIRED,
    OFFER_OPEN,
    PROGRAM_ACTIVE,
    ROUTING_WEIGHTED_TIER,
    CampaignRouting,
    Lead,
    LeadOffer,
    PartnerCertification,
    PartnerCompetency,
    PartnerLocation,
    ProgramMembership,
)
from core.settings import get_settings
from core.taxonomy import get_taxonomy


@dataclass(frozen=True)
class Candidate:
    partner_id: int
    tier: str | None
    last_offered_at: datetime | None = None  # of any lead of this vendor


@dataclass(frozen=True)
class Candidates:
    """Who qualifies, or (when nobody does) why not."""

    members: list[Candidate]
    reason: str | None = None


def _needs_text(needs: list[str]) -> str:
    taxonomy = get_taxonomy()
    return " and ".join(taxonomy.area_label(n) for n in needs)


def _members(vendor: str, tiers: list[str]) -> Any:
    """Active members of ``vendor`` (of ``tiers``): the membership vendor/status index."""
    statement = select(ProgramMembership.partner_id).where(
        ProgramMembership.vendor == vendor, ProgramMembership.status == PROGRAM_ACTIVE
    )
    return statement.where(col(ProgramMembership.tier).in_(tiers)) if tiers else statement


def _members_in_radius(
    session: Session, vendor: str, tiers: list[str], zip_code: str | None, radius: float
) -> dict[int, str | None]:
    """Members with an office within ``radius`` km of the ZIP, with their tier: locations in
    the bounding box (ix_partner_location_lat_lon) joined to the program's active members,
    then the exact great-circle distance of those few."""
    place = lookup_zip(zip_code or "")
    if place is None:
        return {}
    # Degrees of latitude are ~111 km everywhere; of longitude they shrink with cos(lat).
    dlat = math.degrees(radius / EARTH_RADIUS_KM)
    cos_lat = max(math.cos(math.radians(place.latitude)), 1e-6)
    dlon = min(180.0, dlat / cos_lat)
    statement = (
        select(
            PartnerLocation.partner_id,
            PartnerLocation.latitude,
            PartnerLocation.longitude,
            ProgramMembership.tier,
        )
        .join(ProgramMembership, col(ProgramMembership.partner_id) == PartnerLocation.partner_id)
        .where(ProgramMembership.vendor == vendor, ProgramMembership.status == PROGRAM_ACTIVE)
        .where(col(PartnerLocation.latitude).between(place.latitude - dlat, place.latitude + dlat))
        .where(
            col(PartnerLocation.longitude).between(place.longitude - dlon, place.longitude + dlon)
        )
    )
    if tiers:
        statement = statement.where(col(ProgramMembership.tier).in_(tiers))
    return {
        int(pid): tier
        for pid, lat, lon, tier in session.exec(statement).all()
        if haversine_km(place.latitude, place.longitude, lat, lon) <= radius
    }


def _competent(
    session: Session,
    ids: list[int],
    needs: list[str],
    rules: CampaignRouting,
    vendor: str,
    now: datetime,
) -> set[int]:
    if not needs:
        return set(ids)
    if not rules.evidence_only:
        rows = session.exec(
            select(PartnerCompetency.partner_id)
            .where(col(PartnerCompetency.partner_id).in_(ids))
            .where(col(PartnerCompetency.area_key).in_(needs))
            .where(col(PartnerCompetency.claimed_level) >= rules.min_level)
            .group_by(col(PartnerCompetency.partner_id))
            .having(func.count() == len(needs))
        ).all()
        return {int(pid) for pid in rows}
    # Evidence only: per need, a counting certification among those that evidence it at
    # min_level or better (core.evidence's rule: approved and not expired today).
    catalogue = get_taxonomy().certifications
    conditions = []
    for need in needs:
        keys = [k for k, c in catalogue.items() if c.evidences.get(need, 0) >= rules.min_level]
        conditions.append(
            exists().where(
                col(PartnerCertification.partner_id) == col(ProgramMembership.partner_id),
                col(PartnerCertification.status) == CERT_APPROVED,
                col(PartnerCertification.certification_key).in_(keys or [""]),
                or_(
                    col(PartnerCertification.expires_on).is_(None),
                    col(PartnerCertification.expires_on) >= now.date(),
                ),
            )
        )
    rows = session.exec(
        select(ProgramMembership.partner_id)
        .where(col(ProgramMembership.partner_id).in_(ids))
        .where(ProgramMembership.vendor == vendor)
        .where(and_(*conditions))
    ).all()
    return {int(pid) for pid in rows}


def _not_offered(session: Session, ids: list[int], lead_id: int) -> set[int]:
    offered = session.exec(
        select(LeadOffer.partner_id).where(
            LeadOffer.lead_id == lead_id, col(LeadOffer.partner_id).in_(ids)
        )
    ).all()
    return set(ids) - {int(pid) for pid in offered}


def _below_capacity(session: Session, ids: list[int], cap: int) -> set[int]:
    # ix_lead_offer_partner_status: a seek per partner on (partner_id, status).
    full = session.exec(
        select(LeadOffer.partner_id)
        .where(col(LeadOffer.partner_id).in_(ids), LeadOffer.status == OFFER_OPEN)
        .group_by(col(LeadOffer.partner_id))
        .having(func.count() >= cap)
    ).all()
    return set(ids) - {int(pid) for pid in full}


def cooling_partner_ids(session: Session, ids: list[int], now: datetime) -> set[int]:
    """Of ``ids``, the members whose last ``offer_expiry_streak`` offers all expired, the
    latest deadline within ``offer_cooling_hours`` of ``now``."""
    settings = get_settings()
    streak, hours = settings.offer_expiry_streak, settings.offer_cooling_hours
    if not ids or hours <= 0:
        return set()
    ranked = (
        select(
            col(LeadOffer.partner_id).label("partner_id"),
            col(LeadOffer.status).label("status"),
            col(LeadOffer.expires_at).label("expires_at"),
            func.row_number()
            .over(
                partition_by=col(LeadOffer.partner_id),
                order_by=(col(LeadOffer.offered_at).desc(), col(LeadOffer.id).desc()),
            )
            .label("n"),
        )
        .where(col(LeadOffer.partner_id).in_(ids))
        .subquery()
    )
    rows = session.exec(
        select(ranked.c.partner_id)
        .where(ranked.c.n <= streak)
        .group_by(ranked.c.partner_id)
        .having(
            func.count() == streak,
            func.sum(_is_expired(ranked.c.status)) == streak,
            func.max(ranked.c.expires_at) > now - timedelta(hours=hours),
        )
    ).all()
    return {int(pid) for pid in rows}


def _is_expired(status: Any) -> Any:
    return case((status == OFFER_EXPIRED, 1), else_=0)


def find_candidates(
    *, session: Session, lead: Lead, rules: CampaignRouting, vendor: str, now: datetime
) -> Candidates:
    """The members that may be offered ``lead`` now, or the reason there are none."""
    if session.exec(_members(vendor, rules.tiers).limit(1)).first() is None:
        tiers = f" of tier {' or '.join(rules.tiers)}" if rules.tiers else ""
        return Candidates([], f"no active member{tiers} in the {vendor} program")
    tier_of = _members_in_radius(session, vendor, rules.tiers, lead.zip_code, rules.radius_km)
    if not tier_of:
        return Candidates([], f"no member within {rules.radius_km:g} km of ZIP {lead.zip_code}")
    left = set(tier_of)
    steps = (
        (
            lambda ids: _competent(session, ids, list(lead.needs or []), rules, vendor, now),
            f"no member competent in {_needs_text(list(lead.needs or []))}"
            + (" (evidenced)" if rules.evidence_only else "")
            + f" at level {rules.min_level} or better within {rules.radius_km:g} km",
        ),
        (
            lambda ids: _not_offered(session, ids, lead.id or 0),
            "every qualifying member has been offered this lead already",
        ),
        (
            lambda ids: _below_capacity(session, ids, rules.max_open_offers),
            f"all qualifying members are at capacity ({rules.max_open_offers} open offer(s) each)",
        ),
        (
            lambda ids: set(ids) - cooling_partner_ids(session, ids, now),
            "all qualifying members are cooling off after letting offers expire",
        ),
    )
    for step, reason in steps:
        left = step(sorted(left))
        if not left:
            return Candidates([], reason)
    last = dict(
        session.exec(
            select(LeadOffer.partner_id, func.max(LeadOffer.offered_at))
            .where(LeadOffer.vendor == vendor, col(LeadOffer.partner_id).in_(sorted(left)))
            .group_by(col(LeadOffer.partner_id))
        ).all()
    )
    return Candidates([Candidate(pid, tier_of[pid], last.get(pid)) for pid in sorted(left)], None)


def choose(
    candidates: list[Candidate], *, fairness: str, vendor: str, lead_id: int, attempt: int
) -> Candidate:
    """The one member among equals that gets the offer (see the module doc)."""
    if not candidates:
        raise ValueError("no candidate to choose from")
    if fairness == ROUTING_WEIGHTED_TIER:
        tiers = get_taxonomy().tiers_of(vendor)
        weights = [tiers.index(c.tier) + 1 if c.tier in tiers else 1 for c in candidates]
        digest = hashlib.sha256(f"{lead_id}:{attempt}".encode()).digest()
        point = int.from_bytes(digest[:8], "big") % sum(weights)
        for candidate, weight in zip(candidates, weights, strict=True):
            if point < weight:
                return candidate
            point -= weight
    never = datetime.min.replace(tzinfo=UTC)
    return min(candidates, key=lambda c: (c.last_offered_at or never, c.partner_id))
