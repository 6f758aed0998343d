"""Two requests for the same partner x vendor at once: the second is told to reload, never
shown a database error, and its unit of work stays usable (a SAVEPOINT undid only the insert).
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from core.db import session_scope
from core.models import AuditEvent, ProgramMembership
from core.programs import memberships
from core.programs.memberships import request_membership
from core.programs.rules import StaleVersion
from tests.integration.worlds import World, build_world, in_austin


@pytest.fixture
def world(db_engine: Engine) -> World:
    return build_world(db_engine, [in_austin("Alpha IT"), in_austin("Beta IT")])


def test_a_request_racing_another_for_the_same_pair_gets_stale_version(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    with session_scope(world.engine) as s:
        first = request_membership(
            session=s, actor=world.partner_a, partner_id=world.a, vendor="Cisco"
        )
    # The second request read "no membership yet" just before the first one committed.
    monkeypatch.setattr(memberships, "existing_membership", lambda *args: None)
    with session_scope(world.engine) as s:
        with pytest.raises(StaleVersion, match="changed meanwhile"):
            request_membership(session=s, actor=world.admin, partner_id=world.a, vendor="Cisco")
        # Only the savepoint was rolled back: the same unit of work writes on.
        other = request_membership(
            session=s, actor=world.partner_b, partner_id=world.b, vendor="Cisco"
        )
    with Session(world.engine) as session:
        rows = session.exec(select(ProgramMembership).order_by(ProgramMembership.id)).all()  # type: ignore[arg-type]
        assert [(r.id, r.partner_id) for r in rows] == [(first.id, world.a), (other.id, world.b)]
        events = session.exec(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.entity_type == "program_membership")
        ).one()
        assert events == 2
