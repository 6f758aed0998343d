"""The figures of bench/load.py: percentiles, the floor to compare with, the summary rows."""

from __future__ import annotations

import statistics
from typing import Any

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
    for n, level in entry["levels"].items():
        p95 = level["filter_change"]["p95_ms"]
        row: dict[str, Any] = {
            "metric": f"filter change p95, {n} sessions, one process ({size:,} partners)",
            "value": f"{_ms(p95)}, {level['errors']} errors",
        }
        if int(n) == TARGET_SESSIONS:
            row["target"] = f"≤ {TARGET_P95_MS:.0f} ms, 0 errors"
            row["met"] = p95 is not None and p95 <= TARGET_P95_MS and level["errors"] == 0
        rows.append(row)
        rows.append(
            {
                "metric": f"server CPU per filter change, {n} sessions ({size:,} partners)",
                "value": f"{level['server_cpu_ms_per_change']} ms"
                + (f" ({level['cpu_vs_floor']}× floor)" if "cpu_vs_floor" in level else ""),
                "target": f"≤ {TARGET_VS_FLOOR:.0f}× floor",
                "met": level.get("cpu_vs_floor", float("inf")) <= TARGET_VS_FLOOR,
            }
        )
    return rows
