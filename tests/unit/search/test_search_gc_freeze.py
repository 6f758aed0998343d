"""pages.parts.search_gc: the read index leaves the collector's per-run passes, and a replaced
index (with whatever cyclic garbage was frozen beside it) is not kept alive by the freeze."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from pages.parts import search_gc


class Node:
    """A reference cycle: only the collector frees it, never reference counting."""

    def __init__(self) -> None:
        self.me = self


@pytest.fixture(autouse=True)
def clean_freeze() -> Iterator[None]:
    search_gc._frozen_for.clear()
    gc.unfreeze()
    yield
    search_gc._frozen_for.clear()
    gc.unfreeze()


def test_serving_an_index_moves_the_live_objects_out_of_the_collectors_passes() -> None:
    search_gc.freeze_long_lived(object())
    assert gc.get_freeze_count() > 0


def test_the_same_index_freezes_once() -> None:
    index = object()
    search_gc.freeze_long_lived(index)
    frozen = gc.get_freeze_count()
    later = [Node() for _ in range(100)]  # made by runs after the freeze
    search_gc.freeze_long_lived(index)
    assert gc.get_freeze_count() == frozen
    del later


def test_a_new_index_frees_the_cyclic_garbage_frozen_with_the_old_one() -> None:
    old_index = Node()
    gone = weakref.ref(old_index)
    search_gc.freeze_long_lived(old_index)  # the old index, alive, is frozen
    del old_index  # replaced: now garbage, but a frozen cycle
    gc.collect()
    assert gone() is not None  # frozen objects are out of reach of the collector
    search_gc.freeze_long_lived(object())
    assert gone() is None
