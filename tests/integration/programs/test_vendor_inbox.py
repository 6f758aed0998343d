"""A vendor's unassigned campaign leads: its own only, newest first, counted, access-checked."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from core.access import PermissionDenied
from core.db import session_scope
from core.leads.campaign_leads import assign_lead, import_campaign_leads
from core.leads.vendor_inbox import count_unassigned_leads, list_unassigned_leads
from tests.integration.programs.program_world import ProgramWorld, build_program_world

HEADER = "company,contact_name,contact_email,zip,company_size,needs\n"
ROWS = [
    "Acme Dental,Dana Reyes,dana@example.com,78701,11-50,networking\n",
    "Birch Law,Lee Park,lee@example.com,78702,1-10,security;networking\n",
    "Cedar Clinic,Sam Ortiz,sam@example.com,78703,51-200,cloud\n",
]


@pytest.fixture
def world(db_engine: Engine) -> ProgramWorld:
    return build_program_world(db_engine)


def load(world: ProgramWorld, vendor: str = "Cisco") -> list[int]:
    actor = world.vendor if vendor == "Cisco" else world.vendor_y
    with session_scope(world.engine) as session:
        report = import_campaign_leads(
            session=session, actor=actor, vendor=vendor, csv_text=HEADER + "".join(ROWS)
        )
    assert report.ok, report.errors
    return report.created


def test_vendor_lists_its_unassigned_leads_newest_first_and_counts_them(
    world: ProgramWorld,
) -> None:
    ids = load(world)
    load(world, vendor="Microsoft")  # another vendor's leads never show up
    with session_scope(world.engine) as session:
        assign_lead(session=session, actor=world.vendor, lead_id=ids[0], partner_id=world.a)
    with Session(world.engine) as session:
        leads = list_unassigned_leads(session=session, actor=world.vendor, vendor="Cisco")
        total = count_unassigned_leads(session=session, actor=world.vendor, vendor="Cisco")
        page = list_unassigned_leads(
            session=session, actor=world.vendor, vendor="Cisco", limit=1, offset=1
        )
    assert [lead.id for lead in leads] == sorted(ids[1:], reverse=True)
    assert total == 2
    assert [lead.id for lead in page] == [min(ids[1:])]
    assert {lead.vendor_name for lead in leads} == {"Cisco"}


@pytest.mark.parametrize("role", ["vendor_y", "partner_a", "anonymous"])
def test_nobody_else_reads_a_vendors_unassigned_leads(world: ProgramWorld, role: str) -> None:
    load(world)
    actor = world.roles.get(role)
    with Session(world.engine) as session, pytest.raises(PermissionDenied):
        list_unassigned_leads(session=session, actor=actor, vendor="Cisco")
    with Session(world.engine) as session, pytest.raises(PermissionDenied):
        count_unassigned_leads(session=session, actor=actor, vendor="Cisco")


def test_an_administrator_reads_any_vendors_unassigned_leads(world: ProgramWorld) -> None:
    ids = load(world)
    with Session(world.engine) as session:
        leads = list_unassigned_leads(session=session, actor=world.admin, vendor="Cisco")
    assert {lead.id for lead in leads} == set(ids)
