"""Setting up vendor programs for the My programs page tests (through core, audited)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, select

from core.db import session_scope
from core.models import FiguresConsent, ProgramMembership
from core.programs.answers import approve_request
from core.programs.campaigns import create_campaign
from core.programs.memberships import request_membership
from core.taxonomy import get_taxonomy
from tests.app.conftest import AtlasDb

PAGE = "my_programs.py"


def memberships(db: AtlasDb, partner_id: int) -> dict[str, ProgramMembership]:
    with Session(db.engine) as session:
        rows = session.exec(
            select(ProgramMembership).where(ProgramMembership.partner_id == partner_id)
        ).all()
        for row in rows:
            session.expunge(row)
    return {row.vendor: row for row in rows}


def free_vendor(db: AtlasDb, partner_id: int, *, skip: tuple[str, ...] = ()) -> str:
    """A vendor the partner has no membership (and no consent row) with."""
    taken = set(memberships(db, partner_id)) | set(skip)
    with Session(db.engine) as session:
        taken |= set(
            session.exec(
                select(FiguresConsent.vendor).where(FiguresConsent.partner_id == partner_id)
            ).all()
        )
    return next(v for v in get_taxonomy().vendors if v not in taken)


def make_active(db: AtlasDb, partner_id: int, vendor: str) -> None:
    admin = db.accounts["admin"]
    with session_scope(db.engine) as session:
        row = request_membership(session=session, actor=admin, partner_id=partner_id, vendor=vendor)
        approve_request(
            session=session,
            actor=admin,
            membership_id=row.id,
            seen_version=row.version,
            tier=get_taxonomy().tiers_of(vendor)[0],
        )


def running_campaign(db: AtlasDb, vendor: str, budget: float = 5000.0) -> int:
    with session_scope(db.engine) as session:
        campaign = create_campaign(
            session=session,
            actor=db.accounts["admin"],
            data={
                "vendor": vendor,
                "key": "spring-push",
                "name": "Spring push",
                "regions": [],
                "target_needs": [],
                "target_sizes": [],
                "budget_usd": budget,
                "starts_on": date.today() - timedelta(days=1),
                "ends_on": date.today() + timedelta(days=30),
            },
        )
    return campaign.id
