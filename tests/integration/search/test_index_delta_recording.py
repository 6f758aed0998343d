"""Each committed directory write records which partners it changed at its data version
(core.unit_of_work -> directory_change), and the worker keeps that history bounded."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, text, update
from sqlmodel import col

from core.audit import record_change
from core.db import bump_data_version, read_data_version, session_scope
from core.models import Partner
from core.search import deltas
from tests.integration.search.index_delta_support import create, delete, orm_edit, save
from tests.integration.worlds import World, build_profile_world


@pytest.fixture
def world(db_engine: Engine) -> World:
    return build_profile_world(db_engine)


def _recorded(engine: Engine) -> list[tuple[int, int | None]]:
    with engine.connect() as conn:
        sql = "SELECT version, partner_id FROM directory_change ORDER BY version, partner_id"
        return [(int(v), p) for v, p in conn.execute(text(sql)).all()]


def _version(engine: Engine) -> int:
    with session_scope(engine) as session:
        return read_data_version(session)


def _after(engine: Engine, before: int) -> list[int | None]:
    return [p for v, p in _recorded(engine) if v > before]


def test_a_profile_save_records_just_its_partner_at_the_new_version(world: World) -> None:
    before = _version(world.engine)
    save(world.engine, random.Random(1), world.admin, world.a)
    assert _version(world.engine) == before + 1
    assert _recorded(world.engine)[-1:] == [(before + 1, world.a)]


def test_orm_edits_creates_and_deletes_record_their_partners(world: World) -> None:
    rng = random.Random(2)
    before = _version(world.engine)
    orm_edit(world.engine, rng, world.b)
    assert _after(world.engine, before) == [world.b]
    before = _version(world.engine)
    new = create(world.engine, rng)
    assert _after(world.engine, before) == [new]
    before = _version(world.engine)
    delete(world.engine, new)
    assert _after(world.engine, before) == [new]


def test_writes_of_unknown_partners_record_everything(world: World) -> None:
    before = _version(world.engine)
    with session_scope(world.engine) as session:
        bump_data_version(session)  # raw SQL writers say so
    with session_scope(world.engine) as session:
        session.execute(update(Partner).where(col(Partner.name) != "").values(phone="1"))
        record_change(
            session=session, actor=None, entity_type="partner", entity_id=0,
            action="update", before={}, after={}, actor_label="test",
        )  # fmt: skip
    assert _after(world.engine, before) == [None, None]


def test_a_rolled_back_write_records_nothing(world: World) -> None:
    before = _recorded(world.engine)
    with pytest.raises(RuntimeError), session_scope(world.engine) as session:
        session.execute(update(Partner).where(col(Partner.id) == world.a).values(phone="2"))
        raise RuntimeError("changed my mind")
    assert _recorded(world.engine) == before


def test_pruning_keeps_the_latest_versions(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deltas, "KEEP_VERSIONS", 1)
    for _ in range(3):
        save(world.engine, random.Random(3), world.admin, world.a)
    top = _version(world.engine)
    assert deltas.prune_directory_changes(world.engine, datetime.now(UTC)) > 0
    assert {v for v, _ in _recorded(world.engine)} == {top - 1, top}
