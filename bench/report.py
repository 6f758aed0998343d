"""Summarise bench/results/*.json as Markdown tables inside README.md.

The README keeps the numbers between two markers, so `make bench` refreshes them in place.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def _summary_rows(report: dict[str, Any]) -> list[str]:
    lines = ["| metric | measured | target | met |", "|---|---:|---:|:-:|"]
    for row in report.get("summary", []):
        met = {True: "yes", False: "**no**"}.get(row.get("met"), "")
        lines.append(f"| {row['metric']} | {row['value']} | {row.get('target', '')} | {met} |")
    return lines


def _search_table(report: dict[str, Any]) -> list[str]:
    lines = [
        "**Search core** (`bench/results/search_core.json`)",
        "",
        *_summary_rows(report),
        "",
        "| partners | query | core p50 / p95 ms | NumPy floor p50 ms | SQL baseline p50 ms "
        "| × faster than baseline | × floor |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    builds = []
    for size, entry in report["sizes"].items():
        for name, q in entry["queries"].items():
            lines.append(
                f"| {int(size):,} | {name} | {q['core']['p50_ms']} / {q['core']['p95_ms']} "
                f"| {q['numpy_floor']['p50_ms']} | {q['baseline_sql']['p50_ms']} "
                f"| {q['speedup_vs_baseline']} | {q['times_floor']} |"
            )
        idx = entry["index"]
        builds.append(
            f"| {int(size):,} | {idx['build_s']} s | {idx['peak_rss_mb']:,.0f} MB "
            f"| {idx['index_mb']:,.0f} MB |"
        )
    lines += [
        "",
        "| partners | read-index build | peak memory (whole process) | index arrays |",
        "|---:|---:|---:|---:|",
        *builds,
    ]
    return lines


def _generic_table(name: str, report: dict[str, Any]) -> list[str]:
    """Other benchmarks publish rows of {metric, value, target?, met?} under 'summary'."""
    return [
        f"**{report.get('benchmark', name)}** (`bench/results/{name}.json`)",
        "",
        *_summary_rows(report),
    ]


def render(results_dir: Path) -> str:
    parts: list[str] = []
    for path in sorted(results_dir.glob("*.json")):
        report = json.loads(path.read_text())
        lines = (
            _search_table(report)
            if path.stem == "search_core"
            else _generic_table(path.stem, report)
        )
        parts.append("\n".join(lines))
    return "\n\n".join(parts) if parts else "_No benchmark has been run yet: `make bench`._"


def write_readme_section(*, results_dir: Path) -> None:
    text = README.read_text(encoding="utf-8")
    if START not in text or END not in text:
        return
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    README.write_text(f"{head}{START}\n{render(results_dir)}\n{END}{tail}", encoding="utf-8")
