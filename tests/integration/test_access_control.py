"""Ownership in core: whatever a page sends, a partner never changes another partner's data.

Every write (and every read of private data) is tried by anonymous, partner A, partner B,
the vendor and the administrator; refused attempts must leave the database as it was.
Runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from core import account_admin, audit, certifications, leads, profiles
from core.access import PermissionDenied
from core.accounts import change_password, create_account
from core.db import session_scope
from core.models import (
    AccountPublic,
    CertificationInput,
    ContactRequest,
    LocationInput,
    PartnerCreate,
    PartnerUpdate,
)
from core.profiles_io import create_partner

PASSWORD = "integration-pass"


ACTORS = ("anonymous", "partner_a", "partner_b", "vendor", "admin")


@dataclass
class World:
    engine: Engine
    a: int
    b: int
    lead_a: int
    cert_a: int
    actors: dict[str, AccountPublic | None]


@pytest.fixture
def world(db_engine: Engine) -> World:
    with session_scope(db_engine) as session:
        a, b = (
            create_partner(
                session=session,
                partner=PartnerCreate(name=name, locations=[LocationInput(zip_code="78701")]),
                actor_label="test",
            )
            for name in ("Alpha Networks", "Beta Secure")
        )
    with session_scope(db_engine) as session:
        admin = create_account(
            session=session, actor=None, username="admin", password=PASSWORD, role="admin"
        )
        partner_a, partner_b = (
            create_account(
                session=session,
                actor=admin,
                username=name,
                password=PASSWORD,
                role="partner",
                partner_id=pid,
            )
            for name, pid in (("partner1", a), ("partner2", b))
        )
        vendor = create_account(
            session=session,
            actor=admin,
            username="vendor",
            password=PASSWORD,
            role="vendor",
            vendor_name="Cisco",
            regions=["south", "west"],
        )
        lead = leads.submit_contact_request(
            session=session,
            partner_id=a,
            request=ContactRequest(
                contact_name="Dana",
                contact_email="dana@example.com",
                company_size="1-10",
                needs=["networking"],
            ),
        )
        cert = certifications.submit_certification(
            session=session,
            actor=partner_a,
            partner_id=a,
            cert=CertificationInput(certification_key="cisco-ccna", obtained_on=date(2024, 1, 2)),
        )
    actors = {
        "anonymous": None,
        "partner_a": partner_a,
        "partner_b": partner_b,
        "vendor": vendor,
        "admin": admin,
    }
    return World(db_engine, a, b, int(lead.id), cert.id, actors)  # type: ignore[arg-type]


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables these operations touch, in a stable order."""
    tables = (
        "partner",
        "partner_location",
        "partner_competency",
        "partner_certification",
        "lead",
        "lead_status_change",
        "account",
        "audit_event",
    )
    with engine.connect() as conn:
        return {
            table: [tuple(row) for row in conn.execute(text(f"SELECT * FROM {table} ORDER BY 1"))]
            for table in tables
        }


Operation = Callable[[Session, AccountPublic | None, World], object]

OPERATIONS: dict[str, tuple[Operation, set[str]]] = {
    # name: (operation on partner A's data, actors allowed to do it)
    "load profile for edit": (
        lambda s, actor, w: profiles.load_profile_for_edit(session=s, actor=actor, partner_id=w.a),
        {"partner_a", "admin"},
    ),
    "save profile": (
        lambda s, actor, w: profiles.save_profile(
            session=s,
            actor=actor,
            partner_id=w.a,
            expected_version=1,
            changes=PartnerUpdate(description="Changed by someone"),
        ),
        {"partner_a", "admin"},
    ),
    "submit certification": (
        lambda s, actor, w: certifications.submit_certification(
            session=s,
            actor=actor,
            partner_id=w.a,
            cert=CertificationInput(certification_key="veeam-vmce", obtained_on=date(2024, 3, 1)),
        ),
        {"partner_a", "admin"},
    ),
    "withdraw certification": (
        lambda s, actor, w: certifications.withdraw_certification(
            session=s, actor=actor, certification_id=w.cert_a
        ),
        {"partner_a", "admin"},
    ),
    "review certification": (
        lambda s, actor, w: certifications.review_certification(
            session=s, actor=actor, certification_id=w.cert_a, approve=True
        ),
        {"admin"},
    ),
    "list pending certifications": (
        lambda s, actor, w: certifications.list_pending_certifications(session=s, actor=actor),
        {"admin"},
    ),
    "change lead status": (
        lambda s, actor, w: leads.change_lead_status(
            session=s, actor=actor, lead_id=w.lead_a, to_status="engaged"
        ),
        {"partner_a", "admin"},
    ),
    "list leads": (
        lambda s, actor, w: leads.list_partner_leads(session=s, actor=actor, partner_id=w.a),
        {"partner_a", "admin"},
    ),
    "lead history": (
        lambda s, actor, w: leads.lead_history(session=s, actor=actor, lead_id=w.lead_a),
        {"partner_a", "admin"},
    ),
    "create account": (
        lambda s, actor, w: create_account(
            session=s,
            actor=actor,
            username="intruder",
            password=PASSWORD,
            role="partner",
            partner_id=w.a,
        ),
        {"admin"},
    ),
    "list accounts": (
        lambda s, actor, w: account_admin.list_accounts(session=s, actor=actor),
        {"admin"},
    ),
    "read the audit trail": (
        lambda s, actor, w: audit.list_audit_events(session=s, viewer=actor, text="dana"),
        {"admin"},
    ),
    "count audit events": (
        lambda s, actor, w: audit.count_audit_events(session=s, viewer=actor),
        {"admin"},
    ),
    "deactivate partner A's account": (
        lambda s, actor, w: account_admin.set_account_active(
            session=s, actor=actor, account_id=w.actors["partner_a"].id, active=False
        ),
        {"admin"},
    ),
    "reset partner A's password": (
        lambda s, actor, w: account_admin.reset_password(
            session=s,
            actor=actor,
            account_id=w.actors["partner_a"].id,
            new_password="taken over!",
        ),
        {"admin"},
    ),
}


@pytest.mark.parametrize("actor_name", ACTORS)
@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_only_the_owner_or_an_admin_may_touch_partner_a(
    world: World, operation: str, actor_name: str
) -> None:
    run, allowed = OPERATIONS[operation]
    actor = world.actors[actor_name]
    before = snapshot(world.engine)
    if actor_name in allowed:
        with session_scope(world.engine) as session:
            run(session, actor, world)
        return
    with pytest.raises(PermissionDenied), session_scope(world.engine) as session:
        run(session, actor, world)
    assert snapshot(world.engine) == before, f"{actor_name} changed data through {operation}"


def test_a_forged_partner_id_on_the_actor_is_ignored(world: World) -> None:
    """The page could hand core a doctored AccountPublic; core re-reads the account."""
    partner_b = world.actors["partner_b"]
    assert partner_b is not None
    forged = partner_b.model_copy(update={"partner_id": world.a, "role": "partner"})
    before = snapshot(world.engine)
    with pytest.raises(PermissionDenied), session_scope(world.engine) as session:
        profiles.save_profile(
            session=session,
            actor=forged,
            partner_id=world.a,
            expected_version=1,
            changes=PartnerUpdate(description="Hijacked"),
        )
    assert snapshot(world.engine) == before


def test_a_deactivated_account_can_no_longer_write(world: World) -> None:
    admin, partner_a = world.actors["admin"], world.actors["partner_a"]
    assert admin is not None and partner_a is not None
    with session_scope(world.engine) as session:
        account_admin.set_account_active(
            session=session, actor=admin, account_id=partner_a.id, active=False
        )
    with pytest.raises(PermissionDenied), session_scope(world.engine) as session:
        profiles.save_profile(
            session=session,
            actor=partner_a,
            partner_id=world.a,
            expected_version=1,
            changes=PartnerUpdate(description="After deactivation"),
        )
    with pytest.raises(PermissionDenied), session_scope(world.engine) as session:
        change_password(
            session=session,
            actor=partner_a,
            current_password=PASSWORD,
            new_password="another password",
        )


def test_partner_b_saving_its_own_profile_never_touches_partner_a(world: World) -> None:
    partner_b = world.actors["partner_b"]
    with Session(world.engine) as session:
        a_before = profiles.load_profile_for_edit(
            session=session, actor=world.actors["admin"], partner_id=world.a
        )
    with session_scope(world.engine) as session:
        profiles.save_profile(
            session=session,
            actor=partner_b,  # type: ignore[arg-type]
            partner_id=world.b,
            expected_version=1,
            changes=PartnerUpdate(description="Beta's own words"),
        )
    with Session(world.engine) as session:
        a_after = profiles.load_profile_for_edit(
            session=session, actor=world.actors["admin"], partner_id=world.a
        )
    assert a_after.values == a_before.values and a_after.version == a_before.version
