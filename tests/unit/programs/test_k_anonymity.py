"""Aggregates over partners: small groups hidden, and no hidden cell recoverable from a total."""

from __future__ import annotations

import itertools

import pytest

from core.anonymity import K_MIN, Cell, safe_breakdown, safe_value


def _recoverable(
    cells: dict[str, Cell], shown: dict[str, float | None], total: float | None
) -> set[str]:
    """Cells an attacker works out as total minus the shown cells (one hidden cell only)."""
    hidden = [k for k, v in shown.items() if v is None and cells[k].partners > 0]
    return set(hidden) if total is not None and len(hidden) == 1 else set()


def test_a_single_aggregate_needs_five_partners() -> None:
    assert K_MIN == 5
    assert safe_value(4, 400.0) is None
    assert safe_value(5, 500.0) == 500.0


def test_a_breakdown_with_only_large_groups_is_shown_whole() -> None:
    result = safe_breakdown({"TX": Cell(7, 70.0), "OK": Cell(5, 50.0)})
    assert result.cells == {"TX": 70.0, "OK": 50.0} and result.total == 120.0


def test_a_small_group_is_hidden_with_a_complement_so_the_total_does_not_give_it_away() -> None:
    cells = {"TX": Cell(9, 900.0), "OK": Cell(6, 600.0), "NM": Cell(2, 20.0)}
    result = safe_breakdown(cells)
    assert result.cells["NM"] is None
    # Hiding NM alone would leave NM = total - TX - OK: the smallest other cell goes too.
    assert result.suppressed == {"NM", "OK"}
    assert result.total == 1520.0
    assert not _recoverable(cells, result.cells, result.total)


def test_two_small_hidden_groups_that_together_hold_fewer_than_five_get_a_complement() -> None:
    # 1 + 2 partners: their sum (total minus TX, OK) would reveal a group of 3.
    cells = {"TX": Cell(9, 9.0), "OK": Cell(6, 6.0), "NM": Cell(2, 2.0), "AR": Cell(1, 1.0)}
    result = safe_breakdown(cells)
    assert result.suppressed == {"NM", "AR", "OK"}
    assert sum(cells[k].partners for k in result.suppressed) >= K_MIN


def test_a_group_of_fewer_than_five_in_all_shows_nothing_not_even_the_total() -> None:
    result = safe_breakdown({"TX": Cell(3, 30.0), "OK": Cell(1, 10.0)})
    assert result.total is None and set(result.cells.values()) == {None}


def test_empty_groups_stay_shown_as_they_reveal_nobody() -> None:
    result = safe_breakdown({"TX": Cell(8, 80.0), "OK": Cell(0, 0.0)})
    assert result.cells == {"TX": 80.0, "OK": 0.0}


@pytest.mark.parametrize("sizes", list(itertools.product([0, 1, 2, 4, 5, 8], repeat=3)))
def test_no_breakdown_ever_shows_a_small_group_or_lets_one_be_derived(
    sizes: tuple[int, ...],
) -> None:
    cells = {f"g{i}": Cell(n, 10.0 * n + i) for i, n in enumerate(sizes)}
    result = safe_breakdown(cells)
    for key, cell in cells.items():
        if 0 < cell.partners < K_MIN:
            assert result.cells[key] is None
    hidden = [k for k in result.suppressed if cells[k].partners > 0]
    if result.total is not None:
        assert sum(c.partners for c in cells.values()) >= K_MIN
        assert len(hidden) != 1
        assert not hidden or sum(cells[k].partners for k in hidden) >= K_MIN
