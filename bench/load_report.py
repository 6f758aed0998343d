"""The figures of bench/load.py: percentiles, the floor to compare with, the summary rows."""

from __future__ import annotations

import statistics
from typing import Any

from bench.report import figure

TARGET_SESSIONS, TARGET_P95_MS, TARGET_VS_FLOOR = 20, 1500.0, 2.0


def percentiles(samples: list[float]) -> dict[str, float | None]:
    if not samples:  # every change failed: no latency, only errors (JSON has no NaN)
        return {"p50_ms": None, "p95_ms": None, "max_ms": None, "runs": 0}
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(p95, 1),
        "max_ms": round(ordered[-1], 1),
        "runs": len(ordered),
    }


def nearest_floor(floor: dict[str, Any], sessions: int) -> float | None:
    """The floor's CPU per change at the nearest session count measured."""
    if not floor:
        return None
    nearest = min(floor, key=lambda k: abs(int(k) - sessions))
    value = floor[nearest]["server_cpu_ms_per_change"]
    return float(value) if value else None


def _ms(value: float | None) -> str:
    return "no change rendered" if value is None else f"{value:.0f} ms"


def summary_rows(size: int, entry: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {
            "metric": f"today's app: filter change p95, {n} sessions ({size:,} partners)",
            "value": f"{_ms(old['filter_change']['p95_ms'])}, {old['errors']} errors, "
            f"{old['server_cpu_ms_per_change']} ms server CPU per change",
        }
        for n, old in entry.get("baseline", {}).items()
    ]
    levels = [(n, level, "one process") for n, level in entry["levels"].items()]
    levels += [
        (n, level, f"{procs} processes behind nginx")
        for procs, by_sessions in entry.get("processes", {}).items()
        for n, level in by_sessions.items()
    ]
    for n, level, where in levels:
        p95 = level["filter_change"]["p95_ms"]
        row: dict[str, Any] = {
            "metric": f"filter change p95, {n} sessions, {where} ({size:,} partners)",
            "value": f"{_ms(p95)}, {level['errors']} errors",
        }
        if int(n) == TARGET_SESSIONS:
            row["target"] = f"≤ {TARGET_P95_MS:.0f} ms, 0 errors"
            row["met"] = p95 is not None and p95 <= TARGET_P95_MS and level["errors"] == 0
        rows.append(row)
        rows.append(
            {
                "metric": f"server CPU per filter change, {n} sessions, {where} "
                f"({size:,} partners)",
                "value": f"{level['server_cpu_ms_per_change']} ms"
                + (f" ({level['cpu_vs_floor']}× floor)" if "cpu_vs_floor" in level else ""),
                "target": f"≤ {TARGET_VS_FLOOR:.0f}× floor",
                "met": level.get("cpu_vs_floor", float("inf")) <= TARGET_VS_FLOOR,
            }
        )
    return rows


def _seconds(ms: float | None) -> float | None:
    return None if ms is None else round(ms / 1000, 3)


def _level_figures(
    size: int, n: str, level: dict[str, Any], entry: dict[str, Any], processes: int
) -> list[dict[str, Any]]:
    """p95 and CPU per change of one level, beside the floor (and today's app when measured)."""
    where = "one process" if processes == 1 else f"{processes} processes behind nginx"
    floor = entry.get("floor", {}).get(n) or {}
    old = entry.get("baseline", {}).get(n) or {} if processes == 1 else {}
    target = int(n) == TARGET_SESSIONS
    p95 = _seconds(level["filter_change"]["p95_ms"])
    ok = p95 is not None and p95 <= TARGET_P95_MS / 1000 and level["errors"] == 0
    floor_cpu = nearest_floor(entry.get("floor", {}), int(n))
    cpu = level["server_cpu_ms_per_change"]
    return [
        figure(
            name=f"filter change → results p95, {n} sessions, {where}",
            key="filter_change_p95_20_sessions" if target and processes == 1 else None,
            size=size,
            unit="s",
            project=p95,
            best_baseline=_seconds(old.get("filter_change", {}).get("p95_ms")),
            best_baseline_name="today's app" if old else None,
            floor=_seconds(floor.get("filter_change", {}).get("p95_ms")),
            target=f"≤ {TARGET_P95_MS / 1000:.1f} s, 0 errors" if target else None,
            met=ok if target else None,
        ),
        figure(
            name=f"filter changes not rendered in 60 s (errors), {n} sessions, {where}",
            size=size,
            unit="",
            project=float(level["errors"]),
            floor=float(floor["errors"]) if floor else None,
            target="0" if target else None,
            met=level["errors"] == 0 if target else None,
        ),
        figure(
            name=f"server CPU per filter change, {n} sessions, {where} (summed)",
            size=size,
            unit="ms",
            project=cpu,
            best_baseline=old.get("server_cpu_ms_per_change"),
            best_baseline_name="today's app" if old else None,
            floor=floor_cpu,
            target=f"≤ {TARGET_VS_FLOOR:.0f}× floor",
            met=None if not (cpu and floor_cpu) else cpu <= TARGET_VS_FLOOR * floor_cpu,
        ),
    ]


def figures_of(size: int, entry: dict[str, Any]) -> list[dict[str, Any]]:
    """The figures (BENCH_SCHEMA.md) of one size: every level of one process, then every
    level of several processes behind nginx."""
    rows = [f for n, lv in entry["levels"].items() for f in _level_figures(size, n, lv, entry, 1)]
    for procs, levels in entry.get("processes", {}).items():
        for n, level in levels.items():
            rows += _level_figures(size, n, level, entry, int(procs))
    return rows
