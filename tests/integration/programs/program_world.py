"""A vendor program with one partner in every situation the confidentiality rules tell apart.

Vendor X is Cisco (the cast's vendor account), vendor Y is Microsoft. Partner A (the cast's
partner1) is an active Cisco member that shares its figures with Cisco; B (partner2) an
active member that does not. Every other Cisco relationship is set up with consent granted,
so that only the membership status can explain what Cisco sees. Every partner has figures.
Memberships are made through core.programs itself, as users would.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session

from core.accounts.records import create_account
from core.audit import record_change
from core.db import session_scope
from core.models import AccountPublic, PartnerYearFigures
from core.programs.answers import approve_request, end_membership
from core.programs.consent import grant_figures_consent
from core.programs.memberships import invite_partner, request_membership
from tests.integration.worlds import PASSWORD, World, add_cast, add_partners, in_austin

X, Y = "Cisco", "Microsoft"
YEAR = 2025


@dataclass
class ProgramWorld(World):
    vendor_y: AccountPublic
    requested: int  # applied to Cisco, not yet answered (consent granted)
    ended: int  # was an active Cisco member (consent granted)
    stranger: int  # no Cisco membership (consent granted to Cisco all the same)
    invited: int  # invited by Cisco, not yet accepted (consent granted)

    @property
    def roles(self) -> dict[str, AccountPublic | None]:
        return {**self.actors, "vendor_y": self.vendor_y}

    @property
    def by_situation(self) -> dict[str, int]:
        return {
            "member_with_consent": self.a,
            "member_without_consent": self.b,
            "requested": self.requested,
            "invited": self.invited,
            "ended": self.ended,
            "non_member": self.stranger,
        }


def revenue_of(partner_id: int) -> float:
    """Distinct figures per partner, so a value shown can be traced to its partner."""
    return 1_000_000.0 + partner_id


def audit_fixture(session: Session, entity_type: str, entity_id: int) -> None:
    """Every write goes through the unit of work, test fixtures' too: they say so in the trail."""
    record_change(
        session=session, actor=None, actor_label="test fixture", entity_type=entity_type,
        entity_id=entity_id, action="fixture", before={}, after={},
    )  # fmt: skip


def build_program_world(engine: Engine) -> ProgramWorld:
    names = ["Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta"]
    ids = add_partners(engine, [in_austin(f"{n} IT") for n in names])
    a, b, requested, ended, stranger, invited = ids
    with session_scope(engine) as session:
        cast = add_cast(session, a=a, b=b)
        vendor_y = create_account(
            session=session, actor=cast.admin, username="vendor-y", password=PASSWORD,
            role="vendor", vendor_name=Y, regions=["south"],
        )  # fmt: skip
        for pid in ids:
            session.add(
                PartnerYearFigures(
                    partner_id=pid, year=YEAR, revenue_usd=revenue_of(pid),
                    comarketing_funds_usd=1000.0 + pid,
                )
            )  # fmt: skip
            audit_fixture(session, "partner", pid)
    admin, cisco = cast.admin, cast.vendor
    with session_scope(engine) as s:
        for pid in (a, b, requested, ended):
            m = request_membership(session=s, actor=admin, partner_id=pid, vendor=X)
            if pid != requested:
                m = approve_request(
                    session=s, actor=cisco, membership_id=m.id, seen_version=m.version,
                    tier="Select",
                )  # fmt: skip
            if pid == ended:
                end_membership(session=s, actor=cisco, membership_id=m.id, seen_version=m.version)
        invite_partner(session=s, actor=cisco, partner_id=invited, vendor=X, tier="Premier")
        for pid in (a, requested, ended, stranger, invited):
            grant_figures_consent(session=s, actor=admin, partner_id=pid, vendor=X)
        grant_figures_consent(session=s, actor=admin, partner_id=stranger, vendor=Y)
    return ProgramWorld(
        **vars(cast), engine=engine, a=a, b=b, vendor_y=vendor_y, requested=requested,
        ended=ended, stranger=stranger, invited=invited,
    )  # fmt: skip
