"""Team-builder latency: exact minimum-size teams for 6 needs within 80 km, size up to 3.

For every directory size, the read index is built once (as in the app), then team searches
run with rotating metro areas and need sets: the headline mix (proficient, claims count), a
harder one (expert level, where teams of two or three are the rule) and evidence only.
Target: p50 <= 200 ms at 100,000 partners for the headline mix.

Issue 17 adds, in the same run and over the same queries:

* ``baseline_exact`` per mix — bench.baselines.teams_exact, a straightforward exact search
  (increasing size, branch on the least-covered need, bound-pruned) over the core's own
  candidates; ``speedup_vs_baseline`` = its p50 / the core's p50;
* ``results_agree`` — for every query, the baseline found the same smallest size and the
  same scores (to 1e-6) for as many teams as the core returns (the best and its
  alternatives; ``disagreements`` counts the others; ``baseline_timeouts`` the queries
  where the baseline ran past BASELINE_BUDGET_S and was recorded at the budget);
* the mix "hard: best team of 1, 2 and 3 members" (bench.query_mixes.team_mix): queries
  chosen round-robin by the size of their best team; ``team_size_shares`` gives the pool
  and the share of teams of 2 and 3 members in the mix.
"""

from __future__ import annotations

import json
import statistics
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine

from bench.baselines.teams_exact import OutOfTime, find_teams
from bench.directories import directory_url, seed_seconds
from bench.query_mixes import team_mix
from core.search.index import build_read_index
from core.teams.finder import find_teams_in_index
from core.teams.query import TeamQuery

TARGET_P50_MS = 200.0
BASELINE_BUDGET_S = 20.0  # per query; a baseline past it counts as taking the budget
TARGET_SIZE = 100_000
METRO_ZIPS = [
    "78701", "10001", "60601", "94103", "30303", "98101", "02108", "80202", "33130",
    "85004", "19103", "48226", "55401", "63101", "37203", "28202", "97204", "89101",
]  # fmt: skip
NEED_SETS = [
    ["security", "cloud", "storage_backup", "networking", "financing", "print_services"],
    ["managed_it", "productivity", "collaboration", "telecom", "mobile", "insurance"],
    ["hardware", "business_apps", "data_analytics", "iot", "logistics", "security"],
    ["networking", "telecom", "cloud", "managed_it", "insurance", "financing"],
]
MIXES = {
    "6 needs, 80 km, size <= 3": {},
    "6 needs at expert level, 80 km, size <= 3": {"min_level": 3},
    "6 needs, evidence only, 80 km, size <= 3": {"evidence_only": True},
}

HARD_MIX = "hard: best team of 1, 2 and 3 members, 80 km"


def _query(i: int, extra: dict[str, Any]) -> TeamQuery:
    return TeamQuery(
        needs=NEED_SETS[i % len(NEED_SETS)],
        near=METRO_ZIPS[i % len(METRO_ZIPS)],
        radius_km=80,
        max_size=3,
        **extra,
    )


def _percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(p95, 2),
        "max_ms": round(ordered[-1], 2),
        "runs": len(ordered),
    }


def measure_mix(index, queries: list[TeamQuery]) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    find_teams_in_index(index, queries[0])  # warm-up: the first ZIP loads the gazetteer
    samples, baseline, sizes, candidates, disagreements, timeouts = [], [], Counter(), [], 0, 0
    for query in queries:
        now = datetime.now(UTC)
        started = time.perf_counter()
        result = find_teams_in_index(index, query, now=now)
        samples.append((time.perf_counter() - started) * 1000)
        sizes["none" if result.size is None else str(result.size)] += 1
        candidates.append(result.candidates)
        started = time.perf_counter()
        try:
            size, scores, _ = find_teams(index, query, now=now, budget_s=BASELINE_BUDGET_S)
        except OutOfTime:  # its time is then at least the budget; nothing to compare
            baseline.append(BASELINE_BUDGET_S * 1000)
            timeouts += 1
            continue
        baseline.append((time.perf_counter() - started) * 1000)
        core_scores = sorted((t.exact_score for t in result.teams), reverse=True)
        same_score = len(core_scores) == len(scores) and all(
            abs(a - b) <= 1e-6 for a, b in zip(core_scores, scores, strict=True)
        )
        if size != result.size or not same_score:
            disagreements += 1
            print(f"[bench] TEAM BASELINE DISAGREES on {query!r}", flush=True)
    core, exact = _percentiles(samples), _percentiles(baseline)
    return {
        **core,
        "baseline_exact": exact,
        "speedup_vs_baseline": round(exact["p50_ms"] / max(core["p50_ms"], 1e-6), 1),
        "results_agree": disagreements == 0,
        "disagreements": disagreements,
        "baseline_timeouts": timeouts,
        "team_sizes": dict(sorted(sizes.items())),
        "candidates_p50": int(statistics.median(candidates)),
    }


def run(*, sizes: list[int], out_dir: Path, runs: int = 72) -> dict[str, Any]:
    report: dict[str, Any] = {"benchmark": "Team builder", "sizes": {}, "summary": []}
    for size in sizes:
        url = directory_url(size)
        engine = create_engine(url)
        started = time.perf_counter()
        index = build_read_index(engine)
        entry: dict[str, Any] = {
            "seed_seconds": seed_seconds(size),
            "index_build_s": round(time.perf_counter() - started, 2),
            "mixes": {},
        }
        mixes = {name: [_query(i, extra) for i in range(runs)] for name, extra in MIXES.items()}
        mixes[HARD_MIX], entry["team_size_shares"] = team_mix(index, runs=runs)
        for name, queries in mixes.items():
            entry["mixes"][name] = measure_mix(index, queries)
            figures = entry["mixes"][name]
            print(
                f"[bench] teams {size:>9,} {name}: p50 {figures['p50_ms']} ms, "
                f"p95 {figures['p95_ms']} ms, sizes {figures['team_sizes']}, exact baseline "
                f"p50 {figures['baseline_exact']['p50_ms']} ms, agree {figures['results_agree']}",
                flush=True,
            )
            headline = name == next(iter(MIXES))
            report["summary"].append(
                {
                    "metric": f"{size:,} partners — {name}: p50 / p95",
                    "value": f"{figures['p50_ms']} / {figures['p95_ms']} ms",
                    "target": f"p50 <= {TARGET_P50_MS:.0f} ms"
                    if headline and size == TARGET_SIZE
                    else "",
                    "met": figures["p50_ms"] <= TARGET_P50_MS
                    if headline and size == TARGET_SIZE
                    else None,
                }
            )
            report["summary"].append(
                {
                    "metric": f"{size:,} partners — {name}: × faster than the exact baseline",
                    "value": f"{figures['speedup_vs_baseline']}× "
                    f"({figures['baseline_exact']['p50_ms']} ms p50)",
                    "target": "same teams",
                    "met": figures["results_agree"],
                }
            )
        shares = entry["team_size_shares"]["share_of_mix"]
        report["summary"].append(
            {
                "metric": f"{size:,} partners — hard mix: share of best teams of 2 / 3 members",
                "value": f"{shares.get('2', 0):.0%} / {shares.get('3', 0):.0%}",
                "target": "",
                "met": None,
            }
        )
        engine.dispose()
        report["sizes"][str(size)] = entry
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "teams.json").write_text(json.dumps(report, indent=2) + "\n")
    return report
