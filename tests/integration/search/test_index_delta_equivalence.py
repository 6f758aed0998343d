"""A read index kept fresh by deltas answers exactly as a freshly built one (issue 15).

Random mixes of profile saves, ORM edits, creates and deletes go through the real services;
after each round the holder applies them in place (no full rebuild) and every partner
array, location, keyword posting and search result is compared with a new build.
"""

from __future__ import annotations

import random

import pytest
from sqlalchemy import Engine, text

from core.search.index import ReadIndexHolder, build_read_index
from core.search.query import SearchQuery
from core.search.ranking import match_partners
from tests.integration.search.index_delta_support import (
    assert_same_index,
    assert_same_searches,
    create,
    delete,
    orm_edit,
    random_profile,
    save,
)
from tests.integration.worlds import build_world


@pytest.mark.parametrize("seed", [1, 2])
def test_delta_updated_index_matches_a_fresh_build_after_random_writes(
    db_engine: Engine, seed: int
) -> None:
    rng = random.Random(seed)
    world = build_world(db_engine, [random_profile(rng) for _ in range(25)])
    holder = ReadIndexHolder(engine=db_engine)
    holder.get()
    builds = holder.full_rebuilds
    with db_engine.connect() as conn:
        ids = [int(i) for i in conn.execute(text("SELECT id FROM partner ORDER BY id")).scalars()]
    for _round in range(6):
        for _ in range(rng.randrange(1, 6)):
            action = rng.choice(("save", "save", "orm", "create", "delete"))
            if action == "create" or len(ids) < 5:
                ids.append(create(db_engine, rng))
            elif action == "delete":
                # The cast's accounts hold partners a and b.
                doomed = rng.choice([i for i in ids if i not in (world.a, world.b)])
                ids.remove(doomed)
                delete(db_engine, doomed)
            elif action == "orm":
                orm_edit(db_engine, rng, rng.choice(ids))
            else:
                save(db_engine, rng, world.admin, rng.choice(ids))
        delta = holder.get()
        assert holder.full_rebuilds == builds, "a delta, not a rebuild, should have applied"
        fresh = build_read_index(db_engine)
        assert_same_index(delta, fresh)
        assert_same_searches(delta, fresh)
    assert holder.deltas_applied == 6


def test_a_deleted_partner_never_matches_any_search(db_engine: Engine) -> None:
    rng = random.Random(3)
    build_world(db_engine, [random_profile(rng) for _ in range(4)])
    holder = ReadIndexHolder(engine=db_engine)
    first = holder.get()
    gone = int(first.partner_ids[2])
    delete(db_engine, gone)
    index = holder.get()
    assert holder.full_rebuilds == 1
    assert gone in index.partner_ids.tolist()  # the row stays, dead
    assert index.rows_of([gone]).size == 0
    rows = match_partners(index, SearchQuery(), None).rows
    assert gone not in index.partner_ids[rows].tolist()
