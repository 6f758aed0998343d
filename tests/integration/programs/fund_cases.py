"""How each campaign and fund write service is prepared as a case of
tests/integration/write_services.py: partner A (the cast's partner1) an active member of the
vendor's (Cisco's) program, one running campaign, a fund at the step before the write."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from core.db import session_scope
from core.models import FundRequestPublic
from core.programs.answers import accept_invitation
from core.programs.campaigns import create_campaign, update_campaign
from core.programs.funds import (
    allocate_funds,
    approve_funds,
    claim_funds,
    pay_claim,
    reject_funds,
    request_funds,
    return_claim,
)
from core.programs.memberships import invite_partner
from tests.integration.programs.fund_world import campaign_data
from tests.integration.worlds import World

Write = Callable[[], Any]
CLAIM = {"description": "Lunch for 40", "amount_usd": 800, "attachment_name": "invoice.pdf"}


def _scope(world: World, write: Callable[[Session], Any]) -> Write:
    def run() -> Any:
        with session_scope(world.engine) as session:
            return write(session)

    return run


def _campaign(world: World) -> int:
    """Partner A joins Cisco's program; Cisco runs a campaign. Its id."""
    with session_scope(world.engine) as s:
        m = invite_partner(session=s, actor=world.vendor, partner_id=world.a, vendor="Cisco")
        accept_invitation(session=s, actor=world.partner_a, membership_id=m.id, seen_version=1)
        return create_campaign(session=s, actor=world.vendor, data=campaign_data()).id


def _fund(world: World, until: str) -> FundRequestPublic:
    """A fund of partner A, taken through the life cycle up to ``until``."""
    campaign_id = _campaign(world)
    with session_scope(world.engine) as s:
        fund = request_funds(
            session=s, actor=world.partner_a, campaign_id=campaign_id, partner_id=world.a,
            activity="Lunch-and-learn", amount_usd=1_000,
        )  # fmt: skip
        if until in ("approved", "claimed"):
            fund = approve_funds(session=s, actor=world.vendor, fund_id=fund.id, seen_version=1)
        if until == "claimed":
            fund = claim_funds(
                session=s, actor=world.partner_a, fund_id=fund.id, seen_version=fund.version,
                claim=CLAIM,
            )  # fmt: skip
    return fund


def create_campaign_case(world: World) -> Write:
    return _scope(
        world, lambda s: create_campaign(session=s, actor=world.vendor, data=campaign_data())
    )


def update_campaign_case(world: World) -> Write:
    campaign_id = _campaign(world)
    return _scope(
        world,
        lambda s: update_campaign(
            session=s,
            actor=world.vendor,
            campaign_id=campaign_id,
            seen_version=1,
            changes={"budget_usd": 20_000},
        ),
    )


def _open(step: Callable[..., Any], actor: str) -> Callable[[World], Write]:
    def prepare(world: World) -> Write:
        campaign_id = _campaign(world)
        who = world.vendor if actor == "vendor" else world.partner_a
        return _scope(
            world,
            lambda s: step(
                session=s,
                actor=who,
                campaign_id=campaign_id,
                partner_id=world.a,
                activity="Webinar",
                amount_usd=500,
            ),
        )

    return prepare


request_funds_case = _open(request_funds, "partner")
allocate_funds_case = _open(allocate_funds, "vendor")


def _step(
    step: Callable[..., Any], until: str, actor: str, **extra: Any
) -> Callable[[World], Write]:
    def prepare(world: World) -> Write:
        fund = _fund(world, until)
        who = world.vendor if actor == "vendor" else world.partner_a
        return _scope(
            world,
            lambda s: step(
                session=s, actor=who, fund_id=fund.id, seen_version=fund.version, **extra
            ),
        )

    return prepare


approve_funds_case = _step(approve_funds, "requested", "vendor")
reject_funds_case = _step(reject_funds, "approved", "vendor", note="The event was cancelled.")
claim_funds_case = _step(claim_funds, "approved", "partner", claim=CLAIM)
pay_claim_case = _step(pay_claim, "claimed", "vendor")
return_claim_case = _step(return_claim, "claimed", "vendor", note="Wrong invoice.")
