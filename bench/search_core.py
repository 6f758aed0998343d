"""Search-core latency at 10k / 100k / 1M partners, beside the best baselines and a floor.

For every size: read-index build time and peak memory (in a fresh process, so the figure
is the index's own), the baseline store's build time (bench.baselines.store), then each
query family run many times with rotating places/keywords. Result file: search_core.json.

Per query family (``sizes[n]["queries"][name]``):

* ``core``                 — `core.search.search_index` (what the app and CLI run)
* ``baseline_indexed_sql`` — bench.baselines.sql_indexed: indexed SQL with a bounding box
                             before the exact distance; FTS5 for keywords (the best baseline)
* ``baseline_rtree``       — radius queries only: the same with an R*Tree for the box
* ``baseline_best``        — the faster of the two for that query family (p50)
* ``baseline_naive``       — bench.baselines.naive: the earlier baseline (no index, LIKE,
                             pandas), labelled naive; ``baseline_sql`` is the same figure
                             under its old key
* ``floor``                — bench.floor: the least work any correct search must do;
                             ``numpy_floor`` is the same figure under its old key
* ``best_baseline``        — which one that was ("indexed SQL", "R*Tree SQL", "FTS5")
* ``speedup_vs_best`` (vs ``baseline_best``) / ``speedup_vs_naive``
  (``speedup_vs_baseline``: the same, old key), ``times_floor`` (core p50 / floor p50),
  ``core_beats_floor`` (then the floor is wrong)
* ``matches_first_query`` and ``result_sets_agree`` — every baseline and the floor were
  checked to return exactly the core's matching partners (ids) for the first queries
* ``kind`` — "fixed" (the earlier three) or the hard-case mix: "dense radius",
  "sparse radius", "common keyword", "rare keyword" (bench.query_mixes)

``sizes[n]["baseline_store"]`` holds the seconds each baseline index took to build;
``sizes[n]["pg_fulltext_build"]`` the same for PostgreSQL (sizes in ``pg_sizes`` only), whose
keyword-only families then also carry ``baseline_pg_fulltext`` (and count as the best
baseline when faster).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
from sqlalchemy import create_engine, make_url

from bench.baselines import naive, pg_fulltext, sql_indexed, store
from bench.directories import ROOT, directory_url, seed_seconds
from bench.floor import floor_rows
from bench.query_mixes import METRO_ZIPS, common_keywords, rare_keywords, sparse_zips
from bench.search_summary import figures, summarise
from core.search.index import ReadIndex, build_read_index
from core.search.query import SearchQuery
from core.search.ranking import match_partners, resolve_query_place, search_index

KEYWORDS = ["backup", "firewall", "cloud", "printers", "voip", "dashboards", "leasing", "wi-fi"]
RADIUS_NEEDS = ["security", "storage_backup", "cloud"]
Make = Callable[[int], SearchQuery]
QUERIES: dict[str, Make] = {
    "3 needs + 80 km radius": lambda i: SearchQuery(
        needs=RADIUS_NEEDS, near=METRO_ZIPS[i % len(METRO_ZIPS)], radius_km=80
    ),
    "6 needs incl. a business service + 150 km": lambda i: SearchQuery(
        needs=["networking", "security", "cloud", "productivity", "managed_it", "financing"],
        min_level=1,
        near=METRO_ZIPS[i % len(METRO_ZIPS)],
        radius_km=150,
    ),
    "keyword, whole country": lambda i: SearchQuery(keyword=KEYWORDS[i % len(KEYWORDS)]),
}
CHECKED_QUERIES = 8  # distinct queries per family whose result sets are compared


def mix_queries(index: ReadIndex) -> dict[str, tuple[str, Make]]:
    """The hard-case families, chosen from this directory (bench.query_mixes)."""
    common, rare = common_keywords(index), rare_keywords(index)
    sparse = sparse_zips(
        index,
        radius_km=80,
        matching=lambda zip_code: SearchQuery(needs=RADIUS_NEEDS, near=zip_code, radius_km=80),
    )
    return {
        "dense area: 2 needs + 40 km radius": (
            "dense radius",
            lambda i: SearchQuery(
                needs=["security", "cloud"], near=METRO_ZIPS[i % len(METRO_ZIPS)], radius_km=40
            ),
        ),
        "sparse area: 3 needs + 80 km radius": (
            "sparse radius",
            lambda i: SearchQuery(needs=RADIUS_NEEDS, near=sparse[i % len(sparse)], radius_km=80),
        ),
        "common keyword, whole country": (
            "common keyword",
            lambda i: SearchQuery(keyword=common[i % len(common)]),
        ),
        "rare keyword, whole country": (
            "rare keyword",
            lambda i: SearchQuery(keyword=rare[i % len(rare)]),
        ),
    }


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    median = statistics.median(ordered)
    return {"p50_ms": round(median, 2), "p95_ms": round(p95, 2), "runs": len(ordered)}


def timed(fn, runs: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    samples = []
    for i in range(runs):
        started = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


numpy_floor = floor_rows  # the floor under its old name (bench/ab_search.py)


def core_ids(index: ReadIndex, query: SearchQuery) -> np.ndarray:
    """Partner ids of every match of the core (what search_index counts and pages)."""
    rows = match_partners(index, query, resolve_query_place(query)).rows
    return np.sort(index.partner_ids[rows])


def check_result_sets(index, conn, make: Make, *, distinct: int) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    """Whether each baseline and the floor return exactly the core's matches."""
    agree = {"baseline_indexed_sql": True, "baseline_naive": True, "floor": True}
    if make(0).near is not None:
        agree["baseline_rtree"] = True
    for i in range(distinct):
        query = make(i)
        expected = core_ids(index, query)
        found = {
            "baseline_indexed_sql": sql_indexed.matching_ids(conn, query),
            **(
                {"baseline_rtree": sql_indexed.matching_ids(conn, query, spatial="rtree")}
                if query.near is not None
                else {}
            ),
            "baseline_naive": naive.matching_ids(conn, query),
            "floor": np.sort(index.partner_ids[floor_rows(index, query)]),
        }
        for name, ids in found.items():
            if not np.array_equal(ids, expected):
                agree[name] = False
                print(f"[bench] RESULT SETS DIFFER: {name} on {query!r}", flush=True)
        total, _ = sql_indexed.search(conn, query)
        agree["baseline_indexed_sql"] &= total == expected.size
    return agree


def measure_index_build(url: str) -> dict[str, float]:
    """Build the index in a fresh interpreter: its peak RSS is then the index's cost."""
    script = (
        "import json, resource, time\n"
        "from sqlalchemy import create_engine\n"
        "from core.search.index import build_read_index\n"
        f"engine = create_engine({url!r})\n"
        "t = time.perf_counter(); index = build_read_index(engine); s = time.perf_counter() - t\n"
        "rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(json.dumps({'build_s': round(s, 2), 'peak_rss_mb': round(rss, 1),"
        " 'index_mb': round(index.nbytes() / 2**20, 1), 'partners': index.size}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def ratio(slow: dict[str, float], fast: dict[str, float]) -> float:
    return round(slow["p50_ms"] / max(fast["p50_ms"], 1e-6), 1)


def measure_query(index, conn, make: Make, *, runs: int, naive_runs: int) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    search_index(index, make(0))  # warm-up: the first ZIP lookup loads the gazetteer
    sql_indexed.search(conn, make(0))  # and the first FTS5 query its pages
    result: dict[str, Any] = {
        "core": timed(lambda i: search_index(index, make(i)), runs),
        "floor": timed(lambda i: floor_rows(index, make(i)), runs),
        "baseline_indexed_sql": timed(lambda i: sql_indexed.search(conn, make(i)), runs),
        "baseline_naive": timed(lambda i: naive.search(conn, make(i)), naive_runs),
        "matches_first_query": int(core_ids(index, make(0)).size),
        "result_sets_agree": check_result_sets(
            index, conn, make, distinct=min(CHECKED_QUERIES, runs)
        ),
    }
    result["best_baseline"] = "FTS5" if make(0).keyword and not make(0).near else "indexed SQL"
    best = result["baseline_indexed_sql"]
    if make(0).near is not None:
        rtree = timed(lambda i: sql_indexed.search(conn, make(i), spatial="rtree"), runs)
        result["baseline_rtree"] = rtree
        if rtree["p50_ms"] < best["p50_ms"]:
            result["best_baseline"], best = "R*Tree SQL", rtree
    result["baseline_best"] = best
    result["numpy_floor"], result["baseline_sql"] = result["floor"], result["baseline_naive"]
    result["speedup_vs_best"] = ratio(best, result["core"])
    result["speedup_vs_naive"] = ratio(result["baseline_naive"], result["core"])
    result["speedup_vs_baseline"] = result["speedup_vs_naive"]
    result["times_floor"] = ratio(result["core"], result["floor"])
    result["core_beats_floor"] = result["core"]["p50_ms"] < result["floor"]["p50_ms"]
    if result["core_beats_floor"]:
        print("[bench] THE CORE BEAT THE FLOOR: the floor is wrong", flush=True)
    return result


def measure_postgres(
    index: ReadIndex, url: str, families: dict[str, tuple[str, Make]], entry: dict[str, Any], *,
    runs: int,
) -> None:  # fmt: skip
    """Keyword-only families against PostgreSQL full-text + GIN, added to ``entry``."""
    keyword_only = {
        name: make for name, (_, make) in families.items()
        if make(0).keyword and not make(0).near and not make(0).needs
    }  # fmt: skip
    with pg_fulltext.server() as conninfo:
        if conninfo is None:
            entry["pg_fulltext_build"] = "PostgreSQL not installed: not measured"
            return
        entry["pg_fulltext_build"] = pg_fulltext.load(conninfo, Path(str(make_url(url).database)))
        with psycopg.connect(conninfo) as conn:
            for name, make in keyword_only.items():
                result = entry["queries"][name]
                pg_fulltext.search(conn, make(0))  # warm-up
                result["baseline_pg_fulltext"] = timed(
                    lambda i, make=make: pg_fulltext.search(conn, make(i)), runs
                )
                agree = all(
                    np.array_equal(
                        pg_fulltext.matching_ids(conn, make(i)), core_ids(index, make(i))
                    )
                    for i in range(min(CHECKED_QUERIES, runs))
                )
                result["result_sets_agree"]["baseline_pg_fulltext"] = agree
                pg = result["baseline_pg_fulltext"]
                if agree and pg["p50_ms"] < result["baseline_best"]["p50_ms"]:
                    result["best_baseline"], result["baseline_best"] = "PostgreSQL FTS", pg
                    result["speedup_vs_best"] = ratio(pg, result["core"])
                print(f"[bench] {index.size:>9,} {name}: PostgreSQL FTS p50 {pg['p50_ms']} ms")


def run(
    *,
    sizes: list[int],
    out_dir: Path,
    runs: int = 40,
    store_dir: Path | None = None,
    pg_sizes: tuple[int, ...] = (100_000,),
) -> dict[str, Any]:
    report: dict[str, Any] = {"benchmark": "search core", "sizes": {}}
    store_dir = store_dir or ROOT / "var" / "bench-baselines"
    for size in sizes:
        url = directory_url(size)
        entry: dict[str, Any] = {"seed_seconds": seed_seconds(size)}
        entry["index"] = measure_index_build(url)
        path = store_dir / f"baselines-{size}.sqlite"
        entry["baseline_store"] = store.build_store(url, path)
        print(f"[bench] {size:>9,} baseline store built: {entry['baseline_store']}", flush=True)
        conn = store.connect(path, url)
        engine = create_engine(url)
        index = build_read_index(engine)
        families = {name: ("fixed", make) for name, make in QUERIES.items()}
        families.update(mix_queries(index))
        entry["queries"] = {}
        naive_runs = max(5, runs // 4) if size <= 100_000 else 3
        for name, (kind, make) in families.items():
            result = measure_query(index, conn, make, runs=runs, naive_runs=naive_runs)
            result["kind"] = kind
            entry["queries"][name] = result
            print(
                f"[bench] {size:>9,} {name}: core p50 {result['core']['p50_ms']} ms, "
                f"best {result['best_baseline']} {result['baseline_best']['p50_ms']} ms, "
                f"indexed SQL {result['baseline_indexed_sql']['p50_ms']} ms, "
                f"naive {result['baseline_naive']['p50_ms']} ms, "
                f"floor {result['floor']['p50_ms']} ms",
                flush=True,
            )
        conn.close()
        if size in pg_sizes:
            measure_postgres(index, url, families, entry, runs=runs)
        engine.dispose()
        report["sizes"][str(size)] = entry
    report["summary"] = summarise(report)
    report["figures"] = figures(report)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "search_core.json").write_text(json.dumps(report, indent=2) + "\n")
    return report
