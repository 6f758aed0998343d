"""The search benchmark's summary rows: each target against the best baseline, the naive
one beside it, the floor, and whether every baseline returned the core's matches."""

from __future__ import annotations

from typing import Any

FULL_TEXT = ("FTS5", "PostgreSQL FTS")


def _vs_best_rows(size: str, queries: dict[str, Any]) -> list[dict[str, Any]]:
    label = f"{int(size):,} partners"
    rows = []
    for engine, target in (("indexed SQL", 10.0), ("full-text", 3.0)):
        picked = [
            q for q in queries.values()
            if (q["best_baseline"] in FULL_TEXT) == (engine == "full-text")
        ]  # fmt: skip
        if picked:
            worst = min(q["speedup_vs_best"] for q in picked)
            rows.append(
                {"metric": f"{label}: × faster than the best {engine} baseline (worst query)",
                 "value": f"{worst}×", "target": f"≥ {target:g}×", "met": worst >= target}
            )  # fmt: skip
    naive_worst = min(q["speedup_vs_naive"] for q in queries.values())
    floor_worst = max(q["times_floor"] for q in queries.values())
    agree = all(all(q["result_sets_agree"].values()) for q in queries.values())
    beaten = [name for name, q in queries.items() if q["core_beats_floor"]]
    rows += [
        {"metric": f"{label}: × faster than the naive baseline (worst query)",
         "value": f"{naive_worst}×", "target": "", "met": None},
        {"metric": f"{label}: × the floor (worst query)", "value": f"{floor_worst}×",
         "target": "≤ 5×", "met": floor_worst <= 5},
        {"metric": f"{label}: baselines and floor return the core's matches",
         "value": "yes" if agree else "NO", "target": "yes", "met": agree},
        {"metric": f"{label}: the core never beats the floor",
         "value": "yes" if not beaten else f"beaten on {', '.join(beaten)}",
         "target": "yes", "met": not beaten},
    ]  # fmt: skip
    return rows


def summarise(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets, each with the worst measured figure over the query mix."""
    rows: list[dict[str, Any]] = []
    sizes = report["sizes"]
    if "1000000" in sizes:
        queries = sizes["1000000"]["queries"].values()
        p50 = max(q["core"]["p50_ms"] for q in queries)
        p95 = max(q["core"]["p95_ms"] for q in queries)
        index = sizes["1000000"]["index"]
        rows += [
            {"metric": "1M partners: search p50 (worst query)", "value": f"{p50} ms",
             "target": "≤ 50 ms", "met": p50 <= 50},
            {"metric": "1M partners: search p95 (worst query)", "value": f"{p95} ms",
             "target": "≤ 150 ms", "met": p95 <= 150},
            {"metric": "1M partners: read-index build", "value": f"{index['build_s']} s",
             "target": "≤ 30 s", "met": index["build_s"] <= 30},
            {"metric": "1M partners: peak memory of the building process",
             "value": f"{index['peak_rss_mb']:,.0f} MB", "target": "≤ 1,536 MB",
             "met": index["peak_rss_mb"] <= 1536},
        ]  # fmt: skip
    for size in ("1000000", "100000"):
        if size in sizes:
            rows += _vs_best_rows(size, sizes[size]["queries"])
    return rows


def figures(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The README's figures (bench/report.py): every query family at every size beside its
    best baseline, the naive one and the floor; the two target rows take the family that
    fares worst against its best baseline (full-text engines for keywords, SQL otherwise)."""
    from bench.report import figure  # report imports nothing of this module's

    out: list[dict[str, Any]] = []
    for size, entry in report["sizes"].items():
        queries = entry["queries"]
        for name, q in queries.items():
            out.append(
                figure(
                    name=f"search: {name} ({q.get('kind', 'fixed')}), p50", size=int(size),
                    unit="ms", project=q["core"]["p50_ms"],
                    best_baseline=q["baseline_best"]["p50_ms"],
                    best_baseline_name=q["best_baseline"],
                    naive_baseline=q["baseline_naive"]["p50_ms"],
                    naive_baseline_name="SQL without indexes + pandas",
                    floor=q["floor"]["p50_ms"],
                )
            )  # fmt: skip
        for key, full_text, target in (
            ("search_vs_indexed_sql", False, "≥ 10× faster"),
            ("search_vs_fts5", True, "≥ 3× faster"),
        ):
            picked = [q for q in queries.values() if (q["best_baseline"] in FULL_TEXT) == full_text]
            if not picked:
                continue
            worst = min(picked, key=lambda q: q["speedup_vs_best"])
            out.append(
                figure(
                    name=f"search vs {'full-text' if full_text else 'indexed SQL'} (worst)",
                    key=key, size=int(size), unit="ms", project=worst["core"]["p50_ms"],
                    best_baseline=worst["baseline_best"]["p50_ms"],
                    best_baseline_name=worst["best_baseline"],
                    naive_baseline=worst["baseline_naive"]["p50_ms"],
                    floor=worst["floor"]["p50_ms"], target=target,
                )
            )  # fmt: skip
    return out
