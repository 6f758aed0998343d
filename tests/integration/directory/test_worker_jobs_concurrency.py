"""Two workers at once on one PostgreSQL: each partner is nudged once, and the
responsiveness summary is computed by one of them without an error in the other."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from core.directory.nudges import KIND, send_profile_nudges
from core.directory.responsiveness import refresh_responsiveness
from core.models import OutboxMessage, PartnerResponsiveness
from tests.integration.analytics.responsiveness_world import NOW, responsiveness_world
from tests.public_directory import AUSTIN, create_directory


@pytest.fixture
def pg_engine(db_engine: Engine) -> Engine:
    if db_engine.dialect.name != "postgresql":
        pytest.skip("several workers need PostgreSQL (on SQLite one writer is enough)")
    return db_engine


def at_once(job: Callable[[], int], copies: int = 2) -> list[Any]:
    """Run ``job`` in ``copies`` threads started together; each result or exception."""
    barrier = threading.Barrier(copies, timeout=30)
    outcomes: list[Any] = [None] * copies

    def run(index: int) -> None:
        try:
            barrier.wait()
            outcomes[index] = job()
        except Exception as exc:  # reported by the test
            outcomes[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def test_two_workers_nudge_each_partner_once(pg_engine: Engine) -> None:
    base = {"zips": (AUSTIN,), "levels": {"security": 2}, "updated_days_ago": 200}
    ids = create_directory(
        pg_engine,
        {f"p{i}": base | {"name": f"Old Profile {i}", "email": f"p{i}@example.com"}
         for i in range(6)},
    )  # fmt: skip
    now = datetime.now(UTC)
    outcomes = at_once(lambda: send_profile_nudges(pg_engine, now))
    assert all(isinstance(o, int) for o in outcomes), outcomes
    assert sum(outcomes) == 6
    with Session(pg_engine) as session:
        nudged = session.exec(select(OutboxMessage.partner_id).where(OutboxMessage.kind == KIND))
        assert sorted(nudged) == sorted(ids.values())


def test_two_workers_refresh_the_summary_once(pg_engine: Engine) -> None:
    ids = responsiveness_world(pg_engine)
    outcomes = at_once(lambda: refresh_responsiveness(pg_engine, NOW))
    assert all(isinstance(o, int) for o in outcomes), outcomes
    assert sorted(outcomes)[0] == 0 and sorted(outcomes)[1] > 0  # one ran, one skipped
    with Session(pg_engine) as session:
        steady = session.get(PartnerResponsiveness, ids["steady"])
        assert steady is not None and steady.leads == 7
