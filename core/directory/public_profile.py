"""The public, vendor-neutral competency profile of one partner.

Only what an anonymous visitor may see leaves this module: no yearly figures, no leads, no
accounts, no pending or rejected certifications. Evidence is derived with ``core.evidence``
exactly as the read index derives it, so the profile and the search never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from core.analytics.responsiveness import Responsiveness, load_responsiveness
from core.evidence import HeldCertification, check_claims, evidenced_levels
from core.models import (
    CERT_APPROVED,
    Partner,
    PartnerCertification,
    PartnerCompetency,
    PartnerLocation,
)
from core.taxonomy import BUSINESS_SERVICES, PROFICIENT, get_taxonomy

# A certification expiring within this window is marked, so a visitor knows it may lapse.
EXPIRES_SOON_DAYS = 60


@dataclass(frozen=True)
class AreaLevel:
    """One technology domain or business service: the claim next to its evidence."""

    key: str
    label: str
    group: str
    claimed: int
    evidenced: int
    flagged: bool  # claimed well above what the certifications show
    ally_name: str | None = None  # business services delivered through a named ally

    @property
    def level(self) -> int:
        return max(self.claimed, self.evidenced)


@dataclass(frozen=True)
class PublicCertification:
    key: str
    vendor: str
    program: str
    name: str
    obtained_on: date
    expires_on: date | None
    expired: bool
    expires_soon: bool
    evidences: dict[str, int]  # area key -> level it evidences (while it counts)


@dataclass(frozen=True)
class VendorCertifications:
    vendor: str
    certifications: list[PublicCertification]


@dataclass(frozen=True)
class PublicLocation:
    city: str
    state: str
    zip_code: str
    latitude: float
    longitude: float
    is_headquarters: bool

    @property
    def label(self) -> str:
        return f"{self.city}, {self.state} {self.zip_code}"


@dataclass(frozen=True)
class PublicProfile:
    partner_id: int
    name: str
    description: str
    website: str | None
    email: str | None
    phone: str | None
    service_radius_km: float | None
    states_served: list[str]
    segments: list[str]  # segment keys, taxonomy order
    locations: list[PublicLocation]
    areas: list[AreaLevel]  # every area of the taxonomy, in taxonomy order
    vendors: list[VendorCertifications]
    updated_at: datetime
    verified_at: datetime | None  # by an administrator (issue 13: only that is "verified")
    extras: dict[str, object] = field(default_factory=dict)
    confirmed_at: datetime | None = None  # the partner's own confirmation
    industries: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    delivery: str | None = None
    accepting_new_clients: bool = True
    # How it answers its leads (last 12 months): public-grade, shown from 5 leads on.
    responsiveness: Responsiveness | None = None

    @property
    def headquarters(self) -> PublicLocation | None:
        return self.locations[0] if self.locations else None

    @property
    def flagged(self) -> list[AreaLevel]:
        return [a for a in self.areas if a.flagged]

    @property
    def services(self) -> list[AreaLevel]:
        """Business services it offers (directly or through an ally)."""
        return [a for a in self.areas if a.group == BUSINESS_SERVICES and a.level > 0]

    @property
    def breadth(self) -> int:
        """Areas covered at proficient or better, as search counts them."""
        return sum(a.level >= PROFICIENT for a in self.areas)

    @property
    def certification_count(self) -> int:
        return sum(len(v.certifications) for v in self.vendors)

    @property
    def valid_certification_count(self) -> int:
        return sum(not c.expired for v in self.vendors for c in v.certifications)

    @property
    def claims_backed(self) -> tuple[int, int]:
        """(N, M) of "N of M claims backed by certifications": M counts the areas it claims
        (foundational or better) that some catalogue certification can evidence at all; N
        those whose unexpired, approved certifications reach the claimed level."""
        checkable = get_taxonomy().evidenceable_keys
        claims = [a for a in self.areas if a.claimed > 0 and a.key in checkable]
        return sum(a.evidenced >= a.claimed for a in claims), len(claims)

    def area(self, key: str) -> AreaLevel:
        for area in self.areas:
            if area.key == key:
                return area
        raise KeyError(key)


def _locations(session: Session, partner_id: int) -> list[PublicLocation]:
    rows = session.exec(
        select(PartnerLocation)
        .where(PartnerLocation.partner_id == partner_id)
        .order_by(col(PartnerLocation.is_headquarters).desc(), col(PartnerLocation.id))
    ).all()
    return [
        PublicLocation(
            city=row.city,
            state=row.state,
            zip_code=row.zip_code,
            latitude=float(row.latitude),
            longitude=float(row.longitude),
            is_headquarters=bool(row.is_headquarters),
        )
        for row in rows
    ]


def _certifications(
    session: Session, partner_id: int, *, today: date
) -> tuple[list[VendorCertifications], list[HeldCertification]]:
    """Approved certifications grouped by vendor (expired ones kept, and marked)."""
    catalogue = get_taxonomy().certifications
    rows = session.exec(
        select(PartnerCertification).where(
            PartnerCertification.partner_id == partner_id,
            PartnerCertification.status == CERT_APPROVED,
        )
    ).all()
    held = [HeldCertification(r.certification_key, r.expires_on, r.status) for r in rows]
    by_vendor: dict[str, list[PublicCertification]] = {}
    soon = today + timedelta(days=EXPIRES_SOON_DAYS)
    for row in rows:
        entry = catalogue.get(row.certification_key)
        if entry is None:  # dropped from the catalogue: it proves nothing any more
            continue
        expired = row.expires_on is not None and row.expires_on < today
        by_vendor.setdefault(entry.vendor, []).append(
            PublicCertification(
                key=entry.key,
                vendor=entry.vendor,
                program=entry.program,
                name=entry.name,
                obtained_on=row.obtained_on,
                expires_on=row.expires_on,
                expired=expired,
                expires_soon=not expired and row.expires_on is not None and row.expires_on <= soon,
                evidences=dict(entry.evidences),
            )
        )
    vendors = [
        VendorCertifications(
            vendor=vendor,
            # Valid first, then by name, so what counts is read first.
            certifications=sorted(certs, key=lambda c: (c.expired, c.name.casefold())),
        )
        for vendor, certs in sorted(by_vendor.items(), key=lambda kv: kv[0].casefold())
    ]
    return vendors, held


def load_public_profile(*, session: Session, partner_id: int, today: date) -> PublicProfile | None:
    """Everything a public profile page shows, or None when there is no such partner."""
    partner = session.get(Partner, partner_id)
    if partner is None:
        return None
    taxonomy = get_taxonomy()
    competencies = session.exec(
        select(PartnerCompetency).where(PartnerCompetency.partner_id == partner_id)
    ).all()
    claimed = {c.area_key: int(c.claimed_level) for c in competencies}
    allies = {c.area_key: c.ally_name for c in competencies if c.ally_name}
    vendors, held = _certifications(session, partner_id, today=today)
    evidenced = evidenced_levels(held, today=today, taxonomy=taxonomy)
    areas = []
    for check in check_claims(claimed, evidenced, taxonomy=taxonomy):
        area = taxonomy.area(check.area_key)
        areas.append(
            AreaLevel(
                key=area.key,
                label=area.label,
                group=area.group,
                claimed=check.claimed,
                evidenced=check.evidenced,
                flagged=check.flagged,
                ally_name=allies.get(area.key) if area.group == BUSINESS_SERVICES else None,
            )
        )
    segments = [k for k in taxonomy.segment_keys if k in (partner.segments or [])]
    return PublicProfile(
        partner_id=int(partner.id or partner_id),
        name=partner.name,
        description=partner.description or "",
        website=partner.website,
        email=partner.email,
        phone=partner.phone,
        service_radius_km=partner.service_radius_km or None,
        states_served=sorted(partner.states_served or []),
        segments=segments,
        locations=_locations(session, partner_id),
        areas=areas,
        vendors=vendors,
        updated_at=partner.updated_at,
        verified_at=partner.verified_at,
        confirmed_at=partner.confirmed_at,
        industries=list(partner.industries or []),
        languages=list(partner.languages or []),
        delivery=partner.delivery,
        accepting_new_clients=bool(partner.accepting_new_clients),
        responsiveness=load_responsiveness(session=session, partner_id=partner_id),
    )
