"""The Approvals page's queue (core.directory.approvals) on SQLite and PostgreSQL: filters by
partner, vendor and age, counts, oldest first, administrators only."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from core.access import PermissionDenied
from core.audit import record_change
from core.db import session_scope
from core.directory.approvals import approval_queue
from core.models import PartnerCertification
from tests.integration.worlds import World, build_profile_world

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


@pytest.fixture
def world(db_engine: Engine) -> World:
    world = build_profile_world(db_engine)  # "Alpha Networks" (a), "Beta Secure" (b)
    with session_scope(db_engine) as session:
        for partner_id, key, days in (
            (world.a, "cisco-ccna", 40),  # Cisco
            (world.a, "veeam-vmce", 10),  # Veeam
            (world.b, "fortinet-nse4", 3),  # Fortinet
            (world.b, "cisco-ccnp-enterprise", 1),  # Cisco
        ):
            session.add(
                PartnerCertification(
                    partner_id=partner_id,
                    certification_key=key,
                    obtained_on=date(2025, 1, 1),
                    submitted_at=NOW - timedelta(days=days),
                )
            )
        session.add(  # approved: never in the queue
            PartnerCertification(
                partner_id=world.a,
                certification_key="aws-saa",
                obtained_on=date(2025, 1, 1),
                status="approved",
                submitted_at=NOW - timedelta(days=90),
            )
        )
        record_change(  # the unit of work commits no change without its audit event
            session=session,
            actor=None,
            actor_label="test",
            entity_type="certification",
            entity_id="setup",
            action="submit",
            before={},
            after={},
        )
    return world


def keys(world: World, **filters) -> list[str]:  # type: ignore[no-untyped-def]
    with Session(world.engine) as session:
        queue = approval_queue(session=session, actor=world.admin, now=NOW, **filters)
    return [p.certification.certification_key for p in queue.items]


def test_the_queue_is_oldest_first_with_counts(world: World) -> None:
    with Session(world.engine) as session:
        queue = approval_queue(session=session, actor=world.admin, now=NOW)
    assert [p.certification.certification_key for p in queue.items] == [
        "cisco-ccna",
        "veeam-vmce",
        "fortinet-nse4",
        "cisco-ccnp-enterprise",
    ]
    assert (queue.total, queue.matching) == (4, 4)
    assert queue.by_vendor == {"Cisco": 2, "Fortinet": 1, "Veeam": 1}
    assert queue.oldest == NOW - timedelta(days=40)


def test_filters_by_partner_vendor_and_age(world: World) -> None:
    assert keys(world, partner="beta") == ["fortinet-nse4", "cisco-ccnp-enterprise"]
    assert keys(world, partner=str(world.a)) == ["cisco-ccna", "veeam-vmce"]
    assert keys(world, partner="50%_off") == []  # wildcards are text, not patterns
    assert keys(world, vendor="Cisco") == ["cisco-ccna", "cisco-ccnp-enterprise"]
    assert keys(world, older_than_days=7) == ["cisco-ccna", "veeam-vmce"]
    assert keys(world, older_than_days=30) == ["cisco-ccna"]
    assert keys(world, vendor="Cisco", partner="alpha", older_than_days=30) == ["cisco-ccna"]
    with Session(world.engine) as session:
        queue = approval_queue(session=session, actor=world.admin, now=NOW, vendor="Veeam")
    assert (queue.matching, queue.total) == (1, 4)


def test_only_administrators_see_the_queue(world: World) -> None:
    with Session(world.engine) as session, pytest.raises(PermissionDenied):
        approval_queue(session=session, actor=world.partner_a, now=NOW)
