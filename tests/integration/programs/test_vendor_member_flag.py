"""A vendor's results count its leads only while their holder is an active member: the flag
on each lead (lead.vendor_member) follows every membership change made through core, and
a lead becomes an engaged opportunity once, for good (lead.engaged_at).

Runs on SQLite and on PostgreSQL (the `db_engine` fixture is parametrised over both).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from core.analytics.program_results import campaign_results
from core.db import session_scope
from core.leads.campaign_leads import import_campaign_leads
from core.leads.lifecycle import change_lead_status
from core.models import Lead, ProgramMembership, utc_now
from core.programs.answers import approve_request, end_membership
from core.programs.campaigns import create_campaign
from core.programs.memberships import request_membership
from tests.integration.programs.program_world import ProgramWorld, X, build_program_world

CSV = (
    "company,contact_name,contact_email,zip,company_size,needs\n"
    "Acme Dental,Ann Lee,ann@acme.example,78701,11-50,security\n"
)


@pytest.fixture
def world(db_engine: Engine) -> ProgramWorld:
    return build_program_world(db_engine)


def _lead_of_a(world: ProgramWorld) -> int:
    """One of Cisco's campaign leads, given to member A, worked to won."""
    today = utc_now().date()
    with session_scope(world.engine) as s:
        create_campaign(
            session=s, actor=world.vendor,
            data={"vendor": X, "key": "spring", "name": "Spring", "budget_usd": 1000,
                  "starts_on": today - timedelta(days=10), "ends_on": today + timedelta(days=10)},
        )  # fmt: skip
        report = import_campaign_leads(
            session=s, actor=world.vendor, vendor=X, csv_text=CSV, campaign_key="spring",
            assign_to=world.a,
        )  # fmt: skip
    (lead_id,) = report.created
    for status, extra in (("engaged", {}), ("won", {"value_usd": 5000.0})):
        with session_scope(world.engine) as s:
            change_lead_status(
                session=s, actor=world.partner_a, lead_id=lead_id, to_status=status,
                product_lines=["Networking"] if status == "won" else None, **extra,
            )  # fmt: skip
    return lead_id


def _membership_of_a(world: ProgramWorld) -> ProgramMembership:
    with Session(world.engine) as s:
        return s.exec(
            select(ProgramMembership).where(
                ProgramMembership.partner_id == world.a, ProgramMembership.vendor == X
            )
        ).one()


def _counted(world: ProgramWorld) -> tuple[bool, int, int, float]:
    with Session(world.engine) as s:
        flag = s.exec(select(Lead.vendor_member).where(Lead.partner_id == world.a)).one()
        (row,) = campaign_results(session=s, viewer=world.vendor, vendor=X).to_dict("records")
    return flag, row["leads"], row["engaged"], row["won_value_usd"]


def test_a_leaving_member_takes_its_outcomes_out_of_the_results_and_back_on_return(
    world: ProgramWorld,
) -> None:
    _lead_of_a(world)
    assert _counted(world) == (True, 1, 1, 5000.0)
    membership = _membership_of_a(world)
    with session_scope(world.engine) as s:
        end_membership(
            session=s, actor=world.partner_a, membership_id=membership.id,
            seen_version=membership.version,
        )  # fmt: skip
    assert _counted(world) == (False, 0, 0, 0.0)
    membership = _membership_of_a(world)
    with session_scope(world.engine) as s:
        request_membership(
            session=s, actor=world.partner_a, partner_id=world.a, vendor=X,
            seen_version=membership.version,
        )  # fmt: skip
    assert _counted(world)[0] is False  # a request is not membership yet
    membership = _membership_of_a(world)
    with session_scope(world.engine) as s:
        approve_request(
            session=s, actor=world.vendor, membership_id=membership.id,
            seen_version=membership.version, tier="Select",
        )  # fmt: skip
    assert _counted(world) == (True, 1, 1, 5000.0)


def test_an_engaged_opportunity_stays_one_when_the_deal_is_won(world: ProgramWorld) -> None:
    lead_id = _lead_of_a(world)
    with Session(world.engine) as s:
        lead = s.get(Lead, lead_id)
        assert lead is not None and lead.status == "won"
        assert lead.engaged_at is not None and lead.engaged_at <= lead.updated_at
