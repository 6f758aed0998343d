"""Small worlds for the core integration tests: partners, the four kinds of account, a lead.

Leads, profiles and access control all try their operations as the same cast: an admin,
partner A's and partner B's accounts and a vendor. Building the cast in one place keeps
usernames, roles and creation order identical across those test files.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session

from core.accounts.records import create_account
from core.db import session_scope
from core.directory.records import create_partner
from core.models import AccountPublic, LocationInput, PartnerCreate

PASSWORD = "integration-pass"


@dataclass
class Cast:
    """Who acts in a test: one account per role, partner A and B owning the first two partners."""

    admin: AccountPublic
    partner_a: AccountPublic
    partner_b: AccountPublic
    vendor: AccountPublic


@dataclass
class World(Cast):
    engine: Engine
    a: int  # partner ids
    b: int

    @property
    def actors(self) -> dict[str, AccountPublic | None]:
        """Every actor by role name, anonymous (None) included."""
        return {
            "anonymous": None,
            "partner_a": self.partner_a,
            "partner_b": self.partner_b,
            "vendor": self.vendor,
            "admin": self.admin,
        }


def in_austin(name: str) -> PartnerCreate:
    """A partner with nothing but a name and one office in Austin."""
    return PartnerCreate(name=name, locations=[LocationInput(zip_code="78701")])


def add_partners(engine: Engine, partners: Iterable[PartnerCreate]) -> list[int]:
    """Creates the partners in one transaction and returns their ids in order."""
    with session_scope(engine) as session:
        return [
            create_partner(session=session, partner=partner, actor_label="test")
            for partner in partners
        ]


def add_cast(
    session: Session, *, a: int, b: int, vendor_regions: Sequence[str] = ("south",)
) -> Cast:
    """The admin (created by nobody), then partner1 for `a`, partner2 for `b` and a Cisco vendor."""
    admin = create_account(
        session=session, actor=None, username="admin", password=PASSWORD, role="admin"
    )
    partner_a, partner_b = (
        create_account(
            session=session,
            actor=admin,
            username=username,
            password=PASSWORD,
            role="partner",
            partner_id=partner_id,
        )
        for username, partner_id in (("partner1", a), ("partner2", b))
    )
    vendor = create_account(
        session=session,
        actor=admin,
        username="vendor",
        password=PASSWORD,
        role="vendor",
        vendor_name="Cisco",
        regions=list(vendor_regions),
    )
    return Cast(admin, partner_a, partner_b, vendor)


def build_world(engine: Engine, partners: Sequence[PartnerCreate]) -> World:
    """The partners, then the cast on the first two of them, each in its own transaction."""
    ids = add_partners(engine, partners)
    with session_scope(engine) as session:
        cast = add_cast(session, a=ids[0], b=ids[1])
    return World(**vars(cast), engine=engine, a=ids[0], b=ids[1])


def build_profile_world(engine: Engine) -> World:
    """Two partners with a description, one office and a networking claim, and the cast."""
    return build_world(
        engine,
        [
            PartnerCreate(
                name=name,
                description="Original description",
                locations=[LocationInput(zip_code=zip_code)],
                competencies={"networking": 2},
            )
            for name, zip_code in (("Alpha Networks", "78701"), ("Beta Secure", "10001"))
        ],
    )
