"""Which need sets a few candidates can cover: bit masks and reachability tables.

Bit ``n`` of a candidate's mask says it covers need ``n``. Team size depends on masks alone,
and only on maximal ones (a candidate whose needs are a subset of another's can always be
swapped for it), so the unions reachable with j members are grown level by level over
maximal masks and kept as maximal unions: cheap even when thousands of partners are in range.
"""

from __future__ import annotations

import numpy as np

MAX_NEEDS = 20  # the reachability tables have 2**needs cells


def coverage_masks(strength: np.ndarray) -> np.ndarray:
    """Bit ``n`` of a candidate's mask is set when it covers need ``n``."""
    weights = np.left_shift(np.int64(1), np.arange(strength.shape[1], dtype=np.int64))
    return (strength > 0).astype(np.int64) @ weights


def _downward_closure(masks: np.ndarray, needs: int) -> np.ndarray:
    """table[s] is True when some mask contains the need set s."""
    table = np.zeros(1 << needs, dtype=bool)
    table[masks] = True
    for bit in range(needs):
        view = table.reshape(-1, 2, 1 << bit)  # axis 1 is this bit: clear, set
        view[:, 0, :] |= view[:, 1, :]
    return table


def _maximal_of_closure(table: np.ndarray, needs: int) -> np.ndarray:
    """The maximal sets of a downward-closed table, as int64 masks."""
    maximal = table.copy()
    for bit in range(needs):
        sets, closure = maximal.reshape(-1, 2, 1 << bit), table.reshape(-1, 2, 1 << bit)
        sets[:, 0, :] &= ~closure[:, 1, :]  # s without the bit is not maximal if s | bit is in
    return np.flatnonzero(maximal).astype(np.int64)


def maximal_masks(masks: np.ndarray, needs: int) -> np.ndarray:
    if masks.size == 0:
        return np.zeros(0, dtype=np.int64)
    return _maximal_of_closure(_downward_closure(masks, needs), needs)


def coverable_tables(masks: np.ndarray, needs: int, *, levels: int) -> list[np.ndarray]:
    """tables[j][s] is True when j candidates can together cover the need set s (j = 0..levels).

    Built from maximal masks only and kept as maximal unions between levels, so each level
    costs (maximal masks) x (maximal unions), not (candidates)^j.
    """
    if needs > MAX_NEEDS:
        raise ValueError(f"at most {MAX_NEEDS} needs at once")
    empty_only = np.zeros(1 << needs, dtype=bool)
    empty_only[0] = True
    tables = [empty_only]
    front = maximal_masks(np.asarray(masks, dtype=np.int64), needs)
    reach = np.zeros(1, dtype=np.int64)  # the union of no one: the empty set
    for _ in range(levels):
        table = np.zeros(1 << needs, dtype=bool)
        for mask in front:
            table[reach | mask] = True
        table = _downward_closure(np.flatnonzero(table), needs)
        tables.append(table)
        reach = _maximal_of_closure(table, needs)
    return tables


def smallest_team_size(masks: np.ndarray, needs: int, *, limit: int) -> int | None:
    """Fewest candidates whose masks together cover all ``needs`` (None above ``limit``)."""
    full = (1 << needs) - 1
    tables = coverable_tables(masks, needs, levels=limit)
    return next((size for size in range(1, limit + 1) if tables[size][full]), None)
