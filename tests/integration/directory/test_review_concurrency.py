"""Two administrators approve and reject one certification at the same moment (PostgreSQL):
one wins, the other is told it changed meanwhile — never both "done".

Each review runs in a thread with its own unit of work; a barrier lets both read the pending
certification before either writes, so a check made in Python on what was read would let
both through. PostgreSQL only: SQLite runs one writer at a time and refuses a stale writer
outright ("database is locked"), which proves nothing about the guard.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from core.db import session_scope
from core.directory.certifications import CertificationError, review_certification
from core.models import CERT_PENDING, AuditEvent, PartnerCertification
from tests.integration.directory.test_certifications import cert_status, submit
from tests.integration.worlds import World, build_profile_world

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize(
        "db_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
    ),
]


@pytest.fixture
def world(db_engine: Engine) -> World:
    return build_profile_world(db_engine)


def test_approve_and_reject_at_once_one_wins_the_other_is_told(world: World) -> None:
    cert_id = submit(world)
    barrier = threading.Barrier(2, timeout=30)
    outcomes: list[Any] = [None, None]

    def review(index: int, approve: bool) -> None:
        try:
            with session_scope(world.engine) as session:
                seen = session.get(PartnerCertification, cert_id)
                assert seen is not None and seen.status == CERT_PENDING  # both see it pending
                barrier.wait()
                outcomes[index] = review_certification(
                    session=session, actor=world.admin, certification_id=cert_id, approve=approve
                )
                time.sleep(0.3)  # hold the row lock: the other UPDATE waits, then re-checks
        except Exception as exc:
            outcomes[index] = exc

    threads = [threading.Thread(target=review, args=(i, i == 0)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == 1, outcomes
    assert isinstance(refused[0], CertificationError) and "meanwhile" in str(refused[0])
    with session_scope(world.engine) as session:
        reviews = session.exec(
            select(AuditEvent).where(
                AuditEvent.entity_type == "certification",
                AuditEvent.action.in_(("approve", "reject")),  # type: ignore[attr-defined]
            )
        ).all()
    assert len(reviews) == 1 and cert_status(world, cert_id) != CERT_PENDING
