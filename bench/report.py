"""The README's benchmark table, from bench/results/*.json: one row per figure.

Every row says what the figure is compared with: Partner Atlas's value, the best baseline a
capable engineer would build, today's naive baseline, the floor (the least work any correct
implementation must do), the target and whether it is met. The README's targets come first,
each restated against the best baseline; a target nobody measured shows as "not measured"
and a missed one as missed. The README keeps the table between two markers, so `make bench`
refreshes it in place.

Schema each benchmark writes (also in /work/wt/BENCH_SCHEMA.md while issue 17 is open)::

    {"benchmark": "title",
     "figures": [{"name": "radius + needs, p50",     # required, human label
                  "key": "search_vs_indexed_sql",    # optional: one of TARGETS' keys
                  "size": 1000000,                   # partners, or null
                  "unit": "ms",                      # ms | s | MB | % | x | ...
                  "project": 9.1,                    # numbers in `unit`, or null
                  "best_baseline": 95.0, "best_baseline_name": "indexed SQL + bbox",
                  "naive_baseline": 420.0, "naive_baseline_name": "SQL without index",
                  "floor": 4.2,
                  "target": "≥ 10× best baseline",   # text, or null
                  "met": true}]}                     # true | false | null

A missing file, list or field renders as "not measured"; an older file with only
``summary`` rows ({metric, value, target, met}) renders as project-only rows.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
NOT_MEASURED = "not measured"
FIELDS = (
    "name",
    "key",
    "size",
    "unit",
    "project",
    "best_baseline",
    "best_baseline_name",
    "naive_baseline",
    "naive_baseline_name",
    "floor",
    "target",
    "met",
)
# What the benchmark leaves out, said once under the table.
NOT_COVERED = (
    "Not covered: PostgreSQL beyond the sizes the search-core run states; more than two app "
    "processes; network latency beyond one machine's loopback; browsers other than Chromium; "
    "many people editing at once (edits are timed one at a time); the worker's own jobs; and "
    "the browser's memory."
)


def figure(*, name: str, **fields: Any) -> dict[str, Any]:
    """One figure in the schema above; fields left out are null. Unknown fields are refused,
    so a typo does not silently become "not measured"."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValueError(f"unknown figure fields: {sorted(unknown)}")
    return {"name": name, **{f: fields.get(f) for f in FIELDS if f != "name"}}


@dataclass(frozen=True)
class Target:
    """A README target, judged on the figure a benchmark tags with ``key``."""

    key: str
    file: str  # bench/results/<file>.json
    size: int
    label: str
    text: str
    judge: Callable[[dict[str, Any]], bool | None]


def _at_most(limit: float) -> Callable[[dict[str, Any]], bool | None]:
    def judge(fig: dict[str, Any]) -> bool | None:
        value = _number(fig.get("project"))
        return None if value is None else value <= limit

    return judge


def _times_faster(factor: float) -> Callable[[dict[str, Any]], bool | None]:
    def judge(fig: dict[str, Any]) -> bool | None:
        project, best = _number(fig.get("project")), _number(fig.get("best_baseline"))
        if project is None or best is None or project <= 0:
            return None
        return best / project >= factor

    return judge


M = 1_000_000
TARGETS = (
    Target(
        "search_vs_indexed_sql",
        "search_core",
        M,
        "Search core vs SQL with indexes + bounding box (worst query kind)",
        "≥ 10× faster",
        _times_faster(10),
    ),
    Target(
        "search_vs_fts5",
        "search_core",
        M,
        "Keyword search vs SQLite FTS5 (worst keyword query)",
        "≥ 3× faster",
        _times_faster(3),
    ),
    Target(
        "map_interactive",
        "app_paths",
        M,
        "Regional map → interactive, through the app (Chromium)",
        "≤ 2 s",
        _at_most(2),
    ),
    Target(
        "filter_change_p95_20_sessions",
        "load",
        100_000,
        "Filter change → results, p95 with 20 browser sessions",
        "≤ 1.5 s",
        _at_most(1.5),
    ),
    Target(
        "edit_visible_p50",
        "index_edits",
        M,
        "Profile edit → visible in another process's search, p50",
        "≤ 1 s",
        _at_most(1),
    ),
    Target(
        "edit_cpu",
        "index_edits",
        M,
        "CPU per applied edit in the reading process",
        "≤ 50 ms",
        _at_most(50),
    ),
    Target(
        "memory_after_edits",
        "index_edits",
        M,
        "Memory growth after 100 edits",
        "≤ 10 %",
        _at_most(10),
    ),
    Target(
        "memory_after_rebuilds",
        "index_edits",
        M,
        "Memory growth after 3 full rebuilds",
        "≤ 10 %",
        _at_most(10),
    ),
    Target(
        "cold_start",
        "cold_start",
        M,
        "Cold start → first search page rendered",
        "≤ 10 s",
        _at_most(10),
    ),
)
HEADER = [
    "| figure | partners | project | best baseline | naive baseline | floor | target | met |",
    "|---|---:|---:|---:|---:|---:|---|:-:|",
]


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _load(results_dir: Path) -> dict[str, dict[str, Any]]:
    """Every readable results file by name; an unreadable one is skipped, not fatal."""
    reports: dict[str, dict[str, Any]] = {}
    for path in sorted(results_dir.glob("*.json")):
        try:
            report = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(report, dict):
            reports[path.stem] = report
    return reports


def _figures(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The file's figures; an older file's summary rows become project-only figures."""
    listed = report.get("figures")
    if isinstance(listed, list):
        return [f for f in listed if isinstance(f, dict) and f.get("name")]
    return [
        {"name": row["metric"], "project": row.get("value"), "target": row.get("target"),
         "met": row.get("met")}
        for row in report.get("summary", [])
        if isinstance(row, dict) and row.get("metric")
    ]  # fmt: skip


def _value(fig: dict[str, Any], field: str) -> str:
    value = fig.get(field)
    if value is None or value == "":
        return NOT_MEASURED if field == "project" else "—"
    number = _number(value)
    if number is None:
        return str(value)
    unit = fig.get("unit") or ""
    text = f"{number:,.2f}".rstrip("0").rstrip(".") if abs(number) < 100 else f"{number:,.0f}"
    cell = f"{text} {unit}".strip()
    name = fig.get(f"{field}_name")
    project = _number(fig.get("project"))
    if field != "project" and unit in ("ms", "s") and project and project > 0:
        cell += f" ({number / project:.1f}×)"  # how many times the project's time
    return f"{cell} — {name}" if name else cell


def _met(value: bool | None) -> str:
    if value is None:
        return NOT_MEASURED
    return "yes" if value else "**no — missed**"


def _row(fig: dict[str, Any], met: bool | None, target: str | None = None) -> str:
    size = fig.get("size")
    partners = f"{size:,}" if isinstance(size, int) else "—"
    cells = [
        str(fig.get("name")),
        partners,
        _value(fig, "project"),
        _value(fig, "best_baseline"),
        _value(fig, "naive_baseline"),
        _value(fig, "floor"),
        target or str(fig.get("target") or "—"),
        _met(met) if (met is not None or target) else "—",
    ]
    return "| " + " | ".join(c.replace("|", "/") for c in cells) + " |"


def _target_rows(reports: dict[str, dict[str, Any]]) -> list[str]:
    rows = []
    for target in TARGETS:
        tagged = [f for f in _figures(reports.get(target.file, {})) if f.get("key") == target.key]
        # The figure at the target's size; else the largest size measured (its size is shown).
        at_size = [f for f in tagged if f.get("size") == target.size]
        by_size = sorted(tagged, key=lambda f: f.get("size") or 0, reverse=True)
        fig = (at_size or by_size or [{}])[0]
        shown = {**fig, "name": target.label, "size": fig.get("size") or target.size}
        verdict = target.judge(fig) if fig else None
        if verdict is None and isinstance(fig.get("met"), bool):
            verdict = fig["met"]  # the numbers are not comparable here: the producer's word
        rows.append(_row(shown, verdict, f"{target.text} (`{target.file}.json`)"))
    return rows


def render(results_dir: Path) -> str:
    reports = _load(results_dir)
    parts = [
        "**Targets**, each against the best baseline (× = how many times Partner Atlas's time)",
        "",
        *HEADER,
        *_target_rows(reports),
    ]
    for name, report in reports.items():
        figures = _figures(report)
        if not figures:
            continue
        title = report.get("benchmark", name)
        parts += ["", f"**{title}** (`bench/results/{name}.json`)", "", *HEADER]
        parts += [
            _row(f, f.get("met") if isinstance(f.get("met"), bool) else None) for f in figures
        ]
    parts += ["", NOT_COVERED]
    return "\n".join(parts)


def write_readme_section(*, results_dir: Path, readme: Path = README) -> None:
    text = readme.read_text(encoding="utf-8")
    if START not in text or END not in text:
        return
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(f"{head}{START}\n{render(results_dir)}\n{END}{tail}", encoding="utf-8")
