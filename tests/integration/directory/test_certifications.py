"""Certifications in core: submitted by the partner, approved by an administrator, and only
then counted as evidence; dates checked, renewals supersede, withdrawals audited.

Runs on SQLite and on PostgreSQL (the `db_engine` fixture is parametrised over both).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from core.access import PermissionDenied
from core.db import read_data_version, session_scope
from core.directory import certifications
from core.directory.certifications import (
    CertificationError,
    review_certification,
    submit_certification,
    withdraw_certification,
)
from core.directory.profiles import load_profile_for_edit
from core.models import (
    CERT_APPROVED,
    CERT_PENDING,
    AccountPublic,
    AuditEvent,
    CertificationInput,
    PartnerCertification,
)
from tests.integration.worlds import World, build_profile_world


@pytest.fixture
def world(db_engine: Engine) -> World:
    return build_profile_world(db_engine)


def submit(world: World, key: str = "cisco-ccna", **dates: date) -> int:
    obtained = dates.get("obtained_on", date.today() - timedelta(days=30))
    with session_scope(world.engine) as session:
        view = submit_certification(
            session=session,
            actor=world.partner_a,
            partner_id=world.a,
            cert=CertificationInput(
                certification_key=key, obtained_on=obtained, expires_on=dates.get("expires_on")
            ),
        )
    return view.id


def cert_status(world: World, cert_id: int) -> str | None:
    with Session(world.engine) as session:
        row = session.get(PartnerCertification, cert_id)
        return row.status if row else None


def review(
    world: World, cert_id: int, *, approve: bool, actor: AccountPublic | None = None, note: str = ""
) -> None:
    with session_scope(world.engine) as session:
        review_certification(
            session=session,
            actor=actor or world.admin,
            certification_id=cert_id,
            approve=approve,
            note=note,
        )


def test_certification_waits_for_approval_then_counts(world: World) -> None:
    cert_id = submit(world)
    assert cert_status(world, cert_id) == CERT_PENDING
    with Session(world.engine) as session:
        pending = certifications.list_pending_certifications(session=session, actor=world.admin)
        before = read_data_version(session)
    assert [p.certification.id for p in pending] == [cert_id]
    with pytest.raises(PermissionDenied):
        review(world, cert_id, approve=True, actor=world.partner_a)
    review(world, cert_id, approve=True, note="ok")
    assert cert_status(world, cert_id) == CERT_APPROVED
    with Session(world.engine) as session:
        assert read_data_version(session) > before
        actions = session.exec(
            select(AuditEvent.action).where(AuditEvent.entity_type == "certification")
        ).all()
    assert {"submit", "approve"} <= set(actions)
    with Session(world.engine) as session:
        shown = load_profile_for_edit(
            session=session, actor=world.partner_a, partner_id=world.a
        ).certifications
    assert [(c.id, c.status, c.review_note) for c in shown] == [(cert_id, "approved", "ok")]


def test_rejected_certification_never_counts_and_cannot_be_reviewed_twice(world: World) -> None:
    cert_id = submit(world)
    review(world, cert_id, approve=False)
    assert cert_status(world, cert_id) == "rejected"
    with pytest.raises(CertificationError):
        review(world, cert_id, approve=True)


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        ({"obtained_on": date.today() + timedelta(days=2)}, "future"),
        (
            {"obtained_on": date(2024, 5, 1), "expires_on": date(2024, 4, 1)},
            "after the date obtained",
        ),
    ],
)
def test_certification_dates_are_checked(world: World, dates: dict, message: str) -> None:
    with pytest.raises(CertificationError, match=message):
        submit(world, **dates)


def test_duplicate_pending_certification_is_refused(world: World) -> None:
    submit(world)
    with pytest.raises(CertificationError, match="already waiting"):
        submit(world)


def test_renewal_supersedes_the_older_approved_entry(world: World) -> None:
    old = submit(world, obtained_on=date(2022, 1, 1))
    review(world, old, approve=True)
    new = submit(world, obtained_on=date(2025, 1, 1))
    review(world, new, approve=True)
    assert cert_status(world, old) is None
    assert cert_status(world, new) == CERT_APPROVED


def test_withdrawing_removes_the_certification_and_is_audited(world: World) -> None:
    cert_id = submit(world)
    with session_scope(world.engine) as session:
        withdraw_certification(session=session, actor=world.partner_a, certification_id=cert_id)
    assert cert_status(world, cert_id) is None
    with Session(world.engine) as session:
        event = session.exec(
            select(AuditEvent).where(
                AuditEvent.entity_type == "certification", AuditEvent.action == "withdraw"
            )
        ).one()
    assert event.changes["status"] == {"before": "pending", "after": None}
