"""bench/load.py's figures: the README's 20-session key, two processes beside, CPU vs the floor."""

from __future__ import annotations

from typing import Any

from bench.load_report import figures_of, summary_rows
from bench.report import FIELDS


def _level(p95_ms: float | None, errors: int, cpu_ms: float) -> dict[str, Any]:
    return {
        "filter_change": {"p50_ms": 100.0, "p95_ms": p95_ms, "max_ms": p95_ms, "runs": 10},
        "errors": errors,
        "server_cpu_ms_per_change": cpu_ms,
    }


ENTRY = {
    "levels": {"1": _level(400.0, 0, 60.0), "20": _level(1200.0, 0, 70.0)},
    "processes": {"2": {"20": _level(2100.0, 3, 90.0)}},
    "floor": {"1": _level(200.0, 0, 30.0), "20": _level(900.0, 0, 40.0)},
    "baseline": {},
}


def test_the_one_process_20_session_p95_is_the_readme_key_in_seconds() -> None:
    keyed = [f for f in figures_of(100_000, ENTRY) if f["key"] == "filter_change_p95_20_sessions"]
    assert len(keyed) == 1
    assert keyed[0]["unit"] == "s"
    assert keyed[0]["project"] == 1.2
    assert keyed[0]["floor"] == 0.9
    assert keyed[0]["met"] is True


def test_two_processes_are_reported_beside_one_with_their_errors() -> None:
    figures = figures_of(100_000, ENTRY)
    two = [f for f in figures if "2 processes behind nginx" in f["name"]]
    p95 = next(f for f in two if f["name"].startswith("filter change → results p95"))
    assert p95["project"] == 2.1
    assert p95["met"] is False  # 3 errors and over 1.5 s
    assert all(f["key"] is None for f in two)
    assert any("2 processes" in row["metric"] for row in summary_rows(100_000, ENTRY))


def test_cpu_per_change_is_judged_against_twice_the_floor() -> None:
    cpu = {f["name"]: f for f in figures_of(100_000, ENTRY) if f["unit"] == "ms"}
    one = cpu["server CPU per filter change, 20 sessions, one process (summed)"]
    assert (one["project"], one["floor"], one["met"]) == (70.0, 40.0, True)
    two = cpu["server CPU per filter change, 20 sessions, 2 processes behind nginx (summed)"]
    assert (two["project"], two["met"]) == (90.0, False)
    assert all(set(f) == set(FIELDS) for f in cpu.values())
