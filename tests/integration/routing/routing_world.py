"""A Cisco program for routing tests: members near and far, strong and weak, of two tiers.

Cisco (the cast's vendor) runs one campaign; Microsoft (vendor_y) is the other vendor that
must see nothing of it. Partner ids by role:

* ``near`` (partner1's): Austin 78701, networking 2 and security 2, Select tier
* ``gold`` (partner2's): Austin 78701, networking 3 and security 3, Gold tier, and an
  approved certification that evidences networking
* ``far``: New York 10001, networking 3 and security 3, Select
* ``weak``: Austin 78701, networking 1 and security 1, Select
* ``stranger``: Austin, networking 3 and security 3, no Cisco membership

Leads are made unassigned, as a campaign import leaves them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from core.accounts.records import create_account
from core.db import session_scope
from core.directory.records import create_partner
from core.models import (
    AccountPublic,
    Campaign,
    CampaignRouting,
    CertificationInput,
    Lead,
    LocationInput,
    PartnerCreate,
)
from core.programs.answers import approve_request
from core.programs.memberships import request_membership
from core.routing.rules import save_routing
from core.taxonomy import get_taxonomy
from tests.integration.programs.program_world import audit_fixture
from tests.integration.worlds import PASSWORD, add_cast

X, Y = "Cisco", "Microsoft"
# The Monday after next, 09:00 UTC: after every row's own creation time (rules saved "now"
# are older than NOW, as in real use), and a known weekday for business-day counts.
_TODAY = datetime.now(UTC).date()
NOW = datetime.combine(_TODAY + timedelta(days=7 - _TODAY.weekday() + 7), time(9), tzinfo=UTC)
NEEDS = ["networking", "security"]
CONTACT = {
    "contact_name": "Dana Secret",
    "contact_email": "dana.secret@example.com",
    "company": "Secret Dental LLC",
}


def evidence_key(area: str, level: int) -> str:
    """A Cisco certification that evidences ``area`` at ``level`` or better."""
    return next(
        key
        for key, cert in sorted(get_taxonomy().certifications.items())
        if cert.vendor == X and cert.evidences.get(area, 0) >= level
    )


@dataclass
class RoutingWorld:
    engine: Engine
    admin: AccountPublic
    partner_a: AccountPublic  # near
    partner_b: AccountPublic  # gold
    vendor: AccountPublic
    vendor_y: AccountPublic
    near: int
    gold: int
    far: int
    weak: int
    stranger: int
    campaign_id: int

    def rules(self, now: datetime = NOW - timedelta(days=1), **changes: Any) -> CampaignRouting:
        """Set the campaign's rules (defaults plus ``changes``) as the vendor, at ``now``."""
        with Session(self.engine) as session:
            row = session.get(CampaignRouting, self.campaign_id)
            seen = row.version if row is not None else None
        data = {"radius_km": 80.0, "min_level": 1, "accept_hours": 48, **changes}
        with session_scope(self.engine) as session:
            return save_routing(
                session=session, actor=self.vendor, campaign_id=self.campaign_id, data=data,
                seen_version=seen, now=now,
            )  # fmt: skip

    def lead(
        self, *, zip_code: str = "78701", needs: list[str] | None = None, at: datetime = NOW
    ) -> int:
        with session_scope(self.engine) as session:
            lead = Lead(
                partner_id=None, source="co_marketing", vendor_name=X,
                campaign_id=self.campaign_id, zip_code=zip_code, company_size="11-50",
                needs=NEEDS if needs is None else needs, status="new", created_at=at,
                updated_at=at, **CONTACT,
            )  # fmt: skip
            session.add(lead)
            session.flush()
            audit_fixture(session, "lead", lead.id or 0)
            return int(lead.id or 0)


def _partner(name: str, zip_code: str, level: int, certs: list[str] = ()) -> PartnerCreate:  # type: ignore[assignment]
    return PartnerCreate(
        name=name,
        email=f"{name.split()[0].lower()}@partners.example",
        locations=[LocationInput(zip_code=zip_code, is_headquarters=True)],
        competencies=dict.fromkeys(NEEDS, level),
        certifications=[
            CertificationInput(certification_key=k, obtained_on=date(2025, 1, 1)) for k in certs
        ],
    )


def build_routing_world(engine: Engine) -> RoutingWorld:
    profiles = [
        _partner("Near Networks", "78701", 2),
        _partner("Gold Secure", "78701", 3, [evidence_key("networking", 2)]),
        _partner("Far Systems", "10001", 3),
        _partner("Weak IT", "78701", 1),
        _partner("Stranger Tech", "78701", 3),
    ]
    with session_scope(engine) as session:
        ids = [
            create_partner(
                session=session,
                partner=p,
                actor_label="test",
                certification_statuses=["approved"] * len(p.certifications),
            )
            for p in profiles
        ]
    near, gold, far, weak, stranger = ids
    with session_scope(engine) as session:
        cast = add_cast(session, a=near, b=gold)
        vendor_y = create_account(
            session=session, actor=cast.admin, username="vendor-y", password=PASSWORD,
            role="vendor", vendor_name=Y, regions=["south"],
        )  # fmt: skip
    with session_scope(engine) as session:
        for pid, tier in ((near, "Select"), (gold, "Gold"), (far, "Select"), (weak, "Select")):
            m = request_membership(session=session, actor=cast.admin, partner_id=pid, vendor=X)
            approve_request(
                session=session, actor=cast.vendor, membership_id=m.id, seen_version=m.version,
                tier=tier,
            )  # fmt: skip
        campaign = Campaign(
            vendor=X, key="spring-net", name="Spring Networking", budget_usd=10_000,
            starts_on=NOW.date() - timedelta(days=10), ends_on=NOW.date() + timedelta(days=50),
        )  # fmt: skip
        session.add(campaign)
        session.flush()
        audit_fixture(session, "campaign", campaign.id or 0)
        campaign_id = int(campaign.id or 0)
    return RoutingWorld(
        engine=engine, admin=cast.admin, partner_a=cast.partner_a, partner_b=cast.partner_b,
        vendor=cast.vendor, vendor_y=vendor_y, near=near, gold=gold, far=far, weak=weak,
        stranger=stranger, campaign_id=campaign_id,
    )  # fmt: skip
