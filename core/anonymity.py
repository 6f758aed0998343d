"""k-anonymity for aggregates over partners: no group smaller than K_MIN is shown, and no
shown number lets one partner's figure be worked out from the others.

A breakdown (cells that partition a group of partners, plus their total) is where a
suppressed cell leaks: total minus the shown cells is the hidden cell. So when one cell is
hidden, more are hidden with it (complementary suppression) until the hidden cells together
hold at least K_MIN partners in at least two cells; if that is impossible, the total goes
too. Pure functions, no database: both sides of core use them.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

K_MIN = 5

Key = TypeVar("Key", bound=Hashable)


@dataclass(frozen=True)
class Cell:
    """One group: how many distinct partners it holds and the sum of their figure."""

    partners: int
    value: float


@dataclass(frozen=True)
class SafeBreakdown(Generic[Key]):
    """The cells and total that may be shown; None where suppressed."""

    cells: dict[Key, float | None]
    total: float | None

    @property
    def suppressed(self) -> set[Key]:
        return {k for k, v in self.cells.items() if v is None}


def safe_value(partners: int, value: float, *, k: int = K_MIN) -> float | None:
    """A single aggregate: shown only over at least ``k`` partners."""
    return value if partners >= k else None


def safe_breakdown(cells: Mapping[Key, Cell], *, k: int = K_MIN) -> SafeBreakdown[Key]:
    """The cells of a breakdown (disjoint groups: each partner in exactly one cell) and their
    total, suppressed so that neither a small cell nor a difference reveals fewer than ``k``.

    Empty cells stay shown: a group of nobody reveals no partner's figure.
    """
    total_partners = sum(c.partners for c in cells.values())
    if total_partners < k:  # the whole group is too small: nothing at all
        return SafeBreakdown(cells=dict.fromkeys(cells), total=None)
    hidden = {key for key, c in cells.items() if 0 < c.partners < k}

    def residual_is_safe() -> bool:
        # What total minus the shown cells gives away: the sum over the hidden cells. It is
        # a group of its own, so it needs k partners; and a single hidden cell IS that sum.
        return not hidden or (len(hidden) >= 2 and sum(cells[h].partners for h in hidden) >= k)

    while not residual_is_safe():
        candidates = [key for key, c in cells.items() if key not in hidden and c.partners > 0]
        if not candidates:
            break
        # Hide the smallest shown cell: it loses the least information.
        hidden.add(min(candidates, key=lambda key: (cells[key].partners, cells[key].value)))
    # Always safe here: the hidden cells can grow to every non-empty cell, and those hold
    # total_partners >= k in at least two cells (one cell alone would hold >= k, unhidden).
    total = sum(c.value for c in cells.values())
    return SafeBreakdown(
        cells={key: (None if key in hidden else c.value) for key, c in cells.items()},
        total=total,
    )
