"""PostgreSQL stopped and started under a running app (issue 15 item 3), on a server of the
test's own (tests/integration/outage_postgres.py): writes fail whole, search answers from the
index it has and says so, the worker logs one line and goes on, and the SAME engine works
again once the server is back (pre-ping), with no restart."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

import core.worker.loop as worker_loop
from core.db import create_db_engine, read_data_version, session_scope
from core.directory.profiles import load_profile_for_edit, save_profile
from core.errors import is_database_unavailable
from core.models import AuditEvent, Partner, PartnerUpdate
from core.search.index import ReadIndexHolder
from tests.integration.outage_postgres import OutagePostgres, outage_postgres
from tests.integration.worlds import World, build_profile_world

pytestmark = pytest.mark.postgres
T = TypeVar("T")
DEADLINE_S = 60.0  # for a condition on a busy machine; a condition that holds ends it at once


def poll_until(probe: Callable[[], T], done: Callable[[T], bool]) -> T:
    deadline = time.monotonic() + DEADLINE_S
    while not done(value := probe()) and time.monotonic() < deadline:
        time.sleep(0.02)  # a polling interval, not a guess at how long anything takes
    return value


@pytest.fixture(scope="module")
def server() -> Iterator[OutagePostgres]:
    with outage_postgres() as started:
        yield started


@pytest.fixture
def engine(server: OutagePostgres) -> Iterator[Engine]:
    """The app's engine, made once as the app makes it (core.db), kept across the outage."""
    made = create_db_engine(server.database_url)
    try:
        yield made
    finally:
        made.dispose()
        if not server.running:  # a failed test must not leave the next one without a server
            server.start()


@pytest.fixture(scope="module")
def world(server: OutagePostgres) -> World:
    made = create_db_engine(server.database_url)
    try:
        return build_profile_world(made)
    finally:
        made.dispose()


def _state(engine: Engine, world: World) -> tuple[str | None, int, int]:
    """What a profile save would change: the description, the data version, audit events."""
    with Session(engine) as session:
        description = session.get(Partner, world.a).description  # type: ignore[union-attr]
        events = session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
        return description, read_data_version(session), int(events)


def _save_description(engine: Engine, world: World, words: str) -> None:
    with session_scope(engine) as session:
        profile = load_profile_for_edit(session=session, actor=world.partner_a, partner_id=world.a)
        save_profile(
            session=session,
            actor=world.partner_a,
            partner_id=world.a,
            expected_version=profile.version,
            changes=PartnerUpdate(description=words),
        )


def test_a_save_cut_off_by_an_outage_leaves_nothing_written_and_the_engine_recovers(
    server: OutagePostgres, engine: Engine, world: World
) -> None:
    before = _state(engine, world)
    with pytest.raises(DBAPIError) as cut_off, session_scope(engine) as session:
        profile = load_profile_for_edit(session=session, actor=world.partner_a, partner_id=world.a)
        save_profile(
            session=session,
            actor=world.partner_a,
            partner_id=world.a,
            expected_version=profile.version,
            changes=PartnerUpdate(description="Half written"),
        )
        session.flush()  # the rows are in the server's transaction, not yet committed
        server.stop()
    assert is_database_unavailable(cut_off.value)  # the page says "nothing was saved"
    server.start()
    assert _state(engine, world) == before  # same engine: no profile change, version, event

    _save_description(engine, world, "Saved after the outage")
    description, version, events = _state(engine, world)
    assert description == "Saved after the outage"
    assert version > before[1] and events > before[2]


def test_a_save_while_the_database_is_down_fails_as_unavailable_then_succeeds(
    server: OutagePostgres, engine: Engine, world: World
) -> None:
    _state(engine, world)  # the pool holds a connection, which the outage kills
    server.stop()
    with pytest.raises(DBAPIError) as refused:
        _save_description(engine, world, "During the outage")
    assert is_database_unavailable(refused.value)
    server.start()
    _save_description(engine, world, "After the outage")
    assert _state(engine, world)[0] == "After the outage"


def test_a_restart_while_idle_costs_the_next_save_nothing(
    server: OutagePostgres, engine: Engine, world: World
) -> None:
    _state(engine, world)  # a pooled connection, which the restart kills unseen
    server.stop()
    server.start()
    _save_description(engine, world, "First save after a restart")  # no error: pre-ping
    assert _state(engine, world)[0] == "First save after a restart"


def test_search_answers_from_the_index_while_the_database_is_down(
    server: OutagePostgres, engine: Engine, world: World
) -> None:
    holder = ReadIndexHolder(engine=engine)
    index = holder.get()
    assert not holder.database_unreachable
    server.stop()
    assert holder.get() is index  # no error: the index it has
    assert holder.database_unreachable  # the pages say "may be out of date"
    server.start()
    holder.get()
    assert not holder.database_unreachable


def test_the_worker_logs_one_line_through_an_outage_and_works_again_after_it(
    server: OutagePostgres,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    outcomes: list[str] = []  # "down" or "ok", one per pass
    real_run_once = worker_loop.run_once

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            done = real_run_once(*args, **kwargs)
        except worker_loop.DatabaseUnreachable:
            outcomes.append("down")
            raise
        outcomes.append("ok")
        return done

    monkeypatch.setattr(worker_loop, "run_once", counted)
    stop = threading.Event()
    passes: list[int] = []
    loop = threading.Thread(
        target=lambda: passes.append(worker_loop.run_forever(engine, 0.05, stop)), daemon=True
    )
    with caplog.at_level(logging.INFO, logger="core.worker.loop"):
        loop.start()
        try:
            poll_until(lambda: outcomes.count("ok"), lambda n: n >= 1)
            server.stop()
            poll_until(lambda: outcomes.count("down"), lambda n: n >= 3)  # several passes
            server.start()
            poll_until(lambda: outcomes[-1], lambda last: last == "ok")
        finally:
            stop.set()
            loop.join(timeout=30)
    assert passes and passes[0] == len(outcomes)  # the loop ended by the event, not by dying
    assert outcomes.count("down") >= 3 and outcomes[-1] == "ok"
    lines = [r.getMessage() for r in caplog.records if r.name == "core.worker.loop"]
    assert sum("database unreachable" in line for line in lines) == 1
    assert sum("database reachable again" in line for line in lines) == 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # no tracebacks
