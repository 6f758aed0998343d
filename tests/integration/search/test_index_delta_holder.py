"""ReadIndexHolder (issue 15): full rebuilds beside the serving index, catching up after
them, snapshots offered as a first index, and answering while the database is away."""

from __future__ import annotations

import random
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, text

from core.db import bump_data_version, read_data_version, session_scope
from core.search import deltas
from core.search.index import ReadIndexHolder, build_read_index
from core.search.read_index import ReadIndex
from tests.integration.search.index_delta_support import (
    assert_same_index,
    create,
    random_profile,
    save,
)
from tests.integration.worlds import World, build_world


@pytest.fixture
def world(db_engine: Engine) -> World:
    return build_world(db_engine, [random_profile(random.Random(7)) for _ in range(8)])


class GatedBuild:
    """build_read_index that, once armed, holds its finished index until released."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.armed = False
        self.built = threading.Event()
        self.release = threading.Event()

    def __call__(self, day: date) -> ReadIndex:
        index = build_read_index(self.engine, today=day)
        if self.armed:
            self.built.set()
            assert self.release.wait(60)
        return index


def _fresh(engine: Engine) -> ReadIndex:
    return build_read_index(engine)


def test_a_change_of_unknown_partners_is_rebuilt_beside_the_serving_index_then_caught_up(
    world: World,
) -> None:
    engine = world.engine
    build = GatedBuild(engine)
    holder = ReadIndexHolder(engine=engine, rebuild=build)
    serving = holder.get()
    build.armed = True
    with session_scope(engine) as session:
        bump_data_version(session)  # a raw write: nobody knows which partners changed
    assert holder.get() is serving  # answered at once, from the index it has
    assert build.built.wait(60)
    assert holder.rebuilding
    rng = random.Random(1)
    save(engine, rng, world.admin, world.a)  # committed while the rebuild waits to serve
    assert holder.get() is serving
    build.release.set()
    assert holder.wait_for_rebuild(60)
    caught_up = holder.index  # as the rebuild installed it, before any further check
    assert caught_up is not None and caught_up.data_version == _read_version(engine)
    assert holder.get() is caught_up
    assert holder.full_rebuilds == 2
    assert_same_index(caught_up, _fresh(engine))


def test_too_many_changed_partners_rebuild_instead_of_a_delta(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deltas, "MAX_DELTA_PARTNERS", 1)
    holder = ReadIndexHolder(engine=world.engine)
    holder.get()
    rng = random.Random(2)
    save(world.engine, rng, world.admin, world.a)
    save(world.engine, rng, world.admin, world.b)
    holder.get()
    assert holder.wait_for_rebuild(60)
    assert holder.full_rebuilds == 2 and holder.deltas_applied == 0
    assert_same_index(holder.get(), _fresh(world.engine))


def test_pruned_history_rebuilds(world: World) -> None:
    holder = ReadIndexHolder(engine=world.engine)
    holder.get()
    save(world.engine, random.Random(3), world.admin, world.a)
    with session_scope(world.engine) as session:
        session.execute(text("DELETE FROM directory_change"))
    holder.get()
    assert holder.wait_for_rebuild(60)
    assert holder.full_rebuilds == 2
    assert_same_index(holder.get(), _fresh(world.engine))


def test_a_new_day_rebuilds_in_the_background(world: World) -> None:
    day = [date.today()]
    holder = ReadIndexHolder(engine=world.engine, today=lambda: day[0])
    first = holder.get()
    day[0] += timedelta(days=1)
    assert holder.get() is first
    assert holder.wait_for_rebuild(60)
    assert holder.get().built_for_day == day[0]


def test_an_older_initial_index_is_caught_up_by_deltas(world: World) -> None:
    snapshot = _fresh(world.engine)
    rng = random.Random(4)
    save(world.engine, rng, world.admin, world.a)
    create(world.engine, rng)
    offered: list[date] = []

    def load_initial(day: date) -> ReadIndex:
        offered.append(day)
        return snapshot

    holder = ReadIndexHolder(engine=world.engine, load_initial=load_initial)
    index = holder.get()
    assert offered == [date.today()]
    assert holder.full_rebuilds == 0 and holder.deltas_applied == 1
    assert_same_index(index, _fresh(world.engine))


def test_no_initial_index_means_a_build(world: World) -> None:
    holder = ReadIndexHolder(engine=world.engine, load_initial=lambda _day: None)
    assert holder.get().data_version == _read_version(world.engine)
    assert holder.full_rebuilds == 1


def _rename(engine: Engine, old: str, new: str) -> None:
    with engine.begin() as conn:
        conn.execute(text(f"ALTER TABLE {old} RENAME TO {new}"))


def test_an_unreachable_database_is_answered_from_the_index_and_flagged(world: World) -> None:
    holder = ReadIndexHolder(engine=world.engine)
    index = holder.get()
    assert holder.database_unreachable is False
    _rename(world.engine, "data_version", "data_version_away")  # the version query fails
    try:
        assert holder.get() is index
        assert holder.database_unreachable is True
        with pytest.raises(Exception):  # noqa: B017 - whatever the driver raises
            ReadIndexHolder(engine=world.engine).get()  # nothing to answer from
    finally:
        _rename(world.engine, "data_version_away", "data_version")
    assert holder.get() is index
    assert holder.database_unreachable is False


def _read_version(engine: Engine) -> int:
    with session_scope(engine) as session:
        return read_data_version(session)
