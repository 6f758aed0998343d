"""Documented demo accounts for the demo directory; their passwords are in the README."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, case, func
from sqlmodel import Session, col, select

from core.accounts.records import create_account
from core.db import session_scope
from core.demo.programs import DEMO_VENDORS
from core.demo.reviews import seed_demo_reviews
from core.demo.routing import seed_demo_routing
from core.models import (
    PROGRAM_ACTIVE,
    ROLE_ADMIN,
    ROLE_PARTNER,
    ROLE_VENDOR,
    Account,
    Lead,
    MaxLength,
    Partner,
    ProgramMembership,
)


@dataclass(frozen=True)
class DemoAccount:
    """A documented demo account: its password is public (README), so demo data only."""

    username: str
    password: str
    role: str
    description: str
    partner_id: int | None = None
    vendor_name: str | None = None
    regions: tuple[str, ...] = ()


DEMO_ADMIN = DemoAccount("admin", "atlas-demo-admin", ROLE_ADMIN, "Administrator")
DEMO_VENDOR = DemoAccount(
    "cisco",
    "atlas-demo-vendor",
    ROLE_VENDOR,
    "Vendor team: Cisco, regions South and West",
    vendor_name="Cisco",
    regions=("south", "west"),
)
DEMO_VENDOR2 = DemoAccount(
    "microsoft",
    "atlas-demo-vendor2",
    ROLE_VENDOR,
    "Vendor team: Microsoft, regions Northeast and Midwest",
    vendor_name="Microsoft",
    regions=("northeast", "midwest"),
)
# The two partner accounts belong to the first two partners with leads to work on (so a
# visitor trying the demo sees a lead list), active members of both demo vendors' programs
# where there are such (the generator makes a few), or else to the lowest ids.
DEMO_PARTNER_LOGINS = (("partner1", "atlas-demo-partner1"), ("partner2", "atlas-demo-partner2"))


def demo_partner_ids(session: Session, *, wanted: int = 2) -> list[int]:
    """Partners with at least three leads, one of them still new, members of both demo
    vendors first; lowest ids otherwise."""
    is_new = case((col(Lead.status) == "new", 1), else_=0)
    in_both = (
        select(ProgramMembership.partner_id)
        .where(
            col(ProgramMembership.vendor).in_(DEMO_VENDORS),
            ProgramMembership.status == PROGRAM_ACTIVE,
        )
        .group_by(col(ProgramMembership.partner_id))
        .having(func.count() == len(DEMO_VENDORS))
    )
    showcased = case((col(Lead.partner_id).in_(in_both), 0), else_=1)
    with_work = session.exec(
        select(Lead.partner_id)
        .where(col(Lead.partner_id).is_not(None))
        .group_by(col(Lead.partner_id))
        .having(func.count() >= 3, func.sum(is_new) >= 1)
        .order_by(func.min(showcased), col(Lead.partner_id))
        .limit(wanted)
    ).all()
    chosen = [int(pid) for pid in with_work if pid is not None]
    if len(chosen) < wanted:
        lowest = session.exec(select(Partner.id).order_by(col(Partner.id)).limit(wanted * 2)).all()
        chosen += [pid for pid in lowest if pid is not None and pid not in chosen][
            : wanted - len(chosen)
        ]
    return chosen


def create_demo_accounts(*, engine: Engine) -> list[DemoAccount]:
    """Create the documented demo accounts that do not exist yet; returns all of them.

    Run after the demo directory is seeded: partner accounts need partners to belong to.
    The first start also gives partner1 its demo lead offers (core.demo.routing).
    """

    demo: list[DemoAccount] = [DEMO_ADMIN, DEMO_VENDOR, DEMO_VENDOR2]
    with session_scope(engine) as session:
        partner_ids = demo_partner_ids(session)
        for (username, password), partner_id in zip(DEMO_PARTNER_LOGINS, partner_ids, strict=False):
            partner = session.get(Partner, partner_id)
            assert partner is not None  # demo_partner_ids just read its id
            name = partner.name
            demo.append(
                DemoAccount(username, password, ROLE_PARTNER, f"Partner: {name}", partner_id)
            )
        for entry in demo:
            exists = session.exec(select(Account.id).where(Account.username == entry.username))
            if exists.first() is not None:
                continue
            create_account(
                session=session,
                actor=None,
                from_cli=True,
                username=entry.username,
                password=entry.password,
                role=entry.role,
                partner_id=entry.partner_id,
                vendor_name=entry.vendor_name,
                regions=entry.regions,
                display_name=f"Demo {entry.description}"[: MaxLength.DISPLAY_NAME],
            )
        if partner_ids:  # partner1 gets offers of the demo vendors' routed campaigns
            seed_demo_routing(session, partner_id=partner_ids[0])
        seed_demo_reviews(session, partner_ids=partner_ids)  # reviews and one alliance
    return demo
