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

from core import audit
from core.access import PermissionDenied
from core.accounts import admin as account_admin
from core.accounts.records import change_password, create_account
from core.db import session_scope
from core.directory import certifications, profiles
from core.leads import lifecycle as leads
from core.models import AccountPublic, CertificationInput, ContactRequest, PartnerUpdate
from tests.integration.worlds import PASSWORD, World, add_cast, add_partners, in_austin

ACTORS = ("anonymous", "partner_a", "partner_b", "vendor", "admin")


@dataclass
class OwnedWorld(World):
    """The usual world, plus a lead and a pending certification that belong to partner A."""

    lead_a: int
    cert_a: int


@pytest.fixture
def world(db_engine: Engine) -> OwnedWorld:
    a, b = add_partners(db_engine, [in_austin("Alpha Networks"), in_austin("Beta Secure")])
    with session_scope(db_engine) as session:
        cast = add_cast(session, a=a, b=b, vendor_regions=("south", "west"))
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
            actor=cast.partner_a,
            partner_id=a,
            cert=CertificationInput(certification_key="cisco-ccna", obtained_on=date(2024, 1, 2)),
        )
    lead_a, cert_a = int(lead.id), int(cert.id)  # type: ignore[arg-type]
    return OwnedWorld(**vars(cast), engine=db_engine, a=a, b=b, lead_a=lead_a, cert_a=cert_a)


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


def save_description(
    session: Session, actor: AccountPublic | None, partner_id: int, description: str
) -> object:
    """Saves a new description over the profile's first version, as the editor page does."""
    return profiles.save_profile(
        session=session,
        actor=actor,  # type: ignore[arg-type]
        partner_id=partner_id,
        expected_version=1,
        changes=PartnerUpdate(description=description),
    )


Operation = Callable[[Session, AccountPublic | None, OwnedWorld], object]

# Operations on partner A's data that partner A itself may do, and the administrator.
OWNER_OR_ADMIN: dict[str, Operation] = {
    "load profile for edit": lambda s, actor, w: profiles.load_profile_for_edit(
        session=s, actor=actor, partner_id=w.a
    ),
    "save profile": lambda s, actor, w: save_description(s, actor, w.a, "Changed by someone"),
    "submit certification": lambda s, actor, w: certifications.submit_certification(
        session=s,
        actor=actor,
        partner_id=w.a,
        cert=CertificationInput(certification_key="veeam-vmce", obtained_on=date(2024, 3, 1)),
    ),
    "withdraw certification": lambda s, actor, w: certifications.withdraw_certification(
        session=s, actor=actor, certification_id=w.cert_a
    ),
    "change lead status": lambda s, actor, w: leads.change_lead_status(
        session=s, actor=actor, lead_id=w.lead_a, to_status="engaged"
    ),
    "list leads": lambda s, actor, w: leads.list_partner_leads(
        session=s, actor=actor, partner_id=w.a
    ),
    "lead history": lambda s, actor, w: leads.lead_history(
        session=s, actor=actor, lead_id=w.lead_a
    ),
}

# Operations only the administrator may do, partner A included among the refused.
ADMIN_ONLY: dict[str, Operation] = {
    "review certification": lambda s, actor, w: certifications.review_certification(
        session=s, actor=actor, certification_id=w.cert_a, approve=True
    ),
    "list pending certifications": lambda s, actor, w: certifications.list_pending_certifications(
        session=s, actor=actor
    ),
    "create account": lambda s, actor, w: create_account(
        session=s,
        actor=actor,
        username="intruder",
        password=PASSWORD,
        role="partner",
        partner_id=w.a,
    ),
    "list accounts": lambda s, actor, w: account_admin.list_accounts(session=s, actor=actor),
    "read the audit trail": lambda s, actor, w: audit.list_audit_events(
        session=s, viewer=actor, filters=audit.AuditFilter(text="dana")
    ),
    "count audit events": lambda s, actor, w: audit.count_audit_events(session=s, viewer=actor),
    "deactivate partner A's account": lambda s, actor, w: account_admin.set_account_active(
        session=s, actor=actor, account_id=w.partner_a.id, active=False
    ),
    "reset partner A's password": lambda s, actor, w: account_admin.reset_password(
        session=s, actor=actor, account_id=w.partner_a.id, new_password="taken over!"
    ),
}

# name: (operation on partner A's data, actors allowed to do it)
OPERATIONS: dict[str, tuple[Operation, set[str]]] = {
    **{name: (run, {"partner_a", "admin"}) for name, run in OWNER_OR_ADMIN.items()},
    **{name: (run, {"admin"}) for name, run in ADMIN_ONLY.items()},
}


@pytest.mark.parametrize("actor_name", ACTORS)
@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_only_the_owner_or_an_admin_may_touch_partner_a(
    world: OwnedWorld, operation: str, actor_name: str
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


def test_a_forged_partner_id_on_the_actor_is_ignored(world: OwnedWorld) -> None:
    """The page could hand core a doctored AccountPublic; core re-reads the account."""
    forged = world.partner_b.model_copy(update={"partner_id": world.a, "role": "partner"})
    before = snapshot(world.engine)
    with pytest.raises(PermissionDenied), session_scope(world.engine) as session:
        save_description(session, forged, world.a, "Hijacked")
    assert snapshot(world.engine) == before


def test_a_deactivated_account_can_no_longer_write(world: OwnedWorld) -> None:
    with session_scope(world.engine) as session:
        account_admin.set_account_active(
            session=session, actor=world.admin, account_id=world.partner_a.id, active=False
        )
    with pytest.raises(PermissionDenied), session_scope(world.engine) as session:
        save_description(session, world.partner_a, world.a, "After deactivation")
    with pytest.raises(PermissionDenied), session_scope(world.engine) as session:
        change_password(
            session=session,
            actor=world.partner_a,
            current_password=PASSWORD,
            new_password="another password",
        )


def test_partner_b_saving_its_own_profile_never_touches_partner_a(world: OwnedWorld) -> None:
    with Session(world.engine) as session:
        a_before = profiles.load_profile_for_edit(
            session=session, actor=world.admin, partner_id=world.a
        )
    with session_scope(world.engine) as session:
        save_description(session, world.partner_b, world.b, "Beta's own words")
    with Session(world.engine) as session:
        a_after = profiles.load_profile_for_edit(
            session=session, actor=world.admin, partner_id=world.a
        )
    assert a_after.values == a_before.values and a_after.version == a_before.version
