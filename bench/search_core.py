"""Search-core latency at 10k / 100k / 1M partners, beside a SQL baseline and a NumPy floor.

For every size: read-index build time and peak memory (in a fresh process, so the figure
is the index's own), then three representative queries run many times with rotating
places/keywords:

* core      — `core.search.search_index` (what the app and CLI run)
* baseline  — the straightforward way: per-query SQL joins, distances in pandas
* floor     — a bare NumPy scan of the same arrays (no explanation, no paging, HQ only)
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import create_engine, text

from bench.directories import ROOT, directory_url, seed_seconds
from core.geo.distance import haversine_km
from core.geo.places import lookup_zip
from core.search.index import ReadIndex, build_read_index
from core.search.query import SearchQuery
from core.search.ranking import search_index

METRO_ZIPS = [
    "78701", "10001", "60601", "94103", "30303", "98101", "02108", "80202", "33130",
    "85004", "19103", "48226", "55401", "63101", "37203", "28202", "97204", "89101",
]  # fmt: skip
KEYWORDS = ["backup", "firewall", "cloud", "printers", "voip", "dashboards", "leasing", "wi-fi"]
QUERIES = {
    "3 needs + 80 km radius": lambda i: SearchQuery(
        needs=["security", "storage_backup", "cloud"],
        near=METRO_ZIPS[i % len(METRO_ZIPS)],
        radius_km=80,
    ),
    "6 needs incl. a business service + 150 km": lambda i: SearchQuery(
        needs=["networking", "security", "cloud", "productivity", "managed_it", "financing"],
        min_level=1,
        near=METRO_ZIPS[i % len(METRO_ZIPS)],
        radius_km=150,
    ),
    "keyword, whole country": lambda i: SearchQuery(keyword=KEYWORDS[i % len(KEYWORDS)]),
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


def numpy_floor(index: ReadIndex, query: SearchQuery) -> np.ndarray:
    """The least a search can do: level mask, HQ distance, top 50. No explanations."""
    mask = np.ones(index.size, dtype=bool)
    for need in query.needs:
        col = index.column(need)
        mask &= np.maximum(index.claimed[:, col], index.evidenced[:, col]) >= query.min_level
    rows = np.flatnonzero(mask)
    if query.near:
        place = lookup_zip(query.near)
        km = haversine_km(
            place.latitude, place.longitude, index.hq_latitude[rows], index.hq_longitude[rows]
        )
        rows, km = rows[km <= query.radius_km], km[km <= query.radius_km]
        score = -km
    else:
        score = index.claimed[rows].sum(axis=1).astype(float)
    top = np.argpartition(-score, min(49, max(score.size - 1, 0)))[:50] if score.size else rows
    return rows[top]


def baseline_sql(engine, query: SearchQuery) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """The straightforward way: one SQL query with joins per search, distances in pandas."""
    params: dict[str, Any] = {"level": query.min_level}
    where, joins = [], []
    for i, need in enumerate(query.needs):
        joins.append(
            f"JOIN partner_competency c{i} ON c{i}.partner_id = p.id "
            f"AND c{i}.area_key = :n{i} AND c{i}.claimed_level >= :level"
        )
        params[f"n{i}"] = need
    if query.keyword:
        where.append("(lower(p.name) LIKE :kw OR lower(p.description) LIKE :kw)")
        params["kw"] = f"%{query.keyword.lower()}%"
    place = lookup_zip(query.near) if query.near else None
    if place is not None:
        joins.append("JOIN partner_location l ON l.partner_id = p.id")
        span = query.radius_km / 111.0
        lon_span = span / max(np.cos(np.radians(place.latitude)), 0.01)
        where.append("l.latitude BETWEEN :lat0 AND :lat1 AND l.longitude BETWEEN :lon0 AND :lon1")
        params.update(
            lat0=place.latitude - span, lat1=place.latitude + span,
            lon0=place.longitude - lon_span, lon1=place.longitude + lon_span,
        )  # fmt: skip
    columns = "p.id, p.name, l.latitude, l.longitude" if place else "p.id, p.name"
    sql = f"SELECT {columns} FROM partner p {' '.join(joins)}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    with engine.connect() as conn:
        names = [c.split(".")[1] for c in columns.split(", ")]
        frame = pd.DataFrame(conn.execute(text(sql), params).fetchall(), columns=names)
    if place is None:
        return frame.sort_values("id").head(20)
    frame["km"] = haversine_km(
        place.latitude, place.longitude, frame["latitude"], frame["longitude"]
    )
    inside = frame[frame["km"] <= query.radius_km]
    nearest = inside.groupby(["id", "name"], as_index=False)["km"].min()
    return nearest.sort_values(["km", "id"]).head(20)


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


def measure_query(index, engine, make, *, runs: int, baseline_runs: int) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    search_index(index, make(0))  # warm-up: the first ZIP lookup loads the gazetteer
    return {
        "core": timed(lambda i: search_index(index, make(i)), runs),
        "numpy_floor": timed(lambda i: numpy_floor(index, make(i)), runs),
        "baseline_sql": timed(lambda i: baseline_sql(engine, make(i)), baseline_runs),
        "matches_first_query": search_index(index, make(0)).total,
    }


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
    if "100000" in sizes:
        queries = sizes["100000"]["queries"].values()
        speedup = min(q["speedup_vs_baseline"] for q in queries)
        floor = max(q["times_floor"] for q in queries)
        rows += [
            {"metric": "100k partners: × faster than the SQL baseline (worst query)",
             "value": f"{speedup}×", "target": "≥ 20×", "met": speedup >= 20},
            {"metric": "100k partners: × the NumPy floor (worst query)",
             "value": f"{floor}×", "target": "≤ 5×", "met": floor <= 5},
        ]  # fmt: skip
    return rows


def run(*, sizes: list[int], out_dir: Path, runs: int = 40) -> dict[str, Any]:
    report: dict[str, Any] = {"benchmark": "search core", "sizes": {}}
    for size in sizes:
        url = directory_url(size)
        entry: dict[str, Any] = {"seed_seconds": seed_seconds(size)}
        entry["index"] = measure_index_build(url)
        engine = create_engine(url)
        index = build_read_index(engine)
        entry["queries"] = {}
        baseline_runs = runs if size <= 100_000 else max(5, runs // 8)
        for name, make in QUERIES.items():
            result = measure_query(index, engine, make, runs=runs, baseline_runs=baseline_runs)
            result["speedup_vs_baseline"] = round(
                result["baseline_sql"]["p50_ms"] / max(result["core"]["p50_ms"], 1e-6), 1
            )
            result["times_floor"] = round(
                result["core"]["p50_ms"] / max(result["numpy_floor"]["p50_ms"], 1e-6), 1
            )
            entry["queries"][name] = result
            print(f"[bench] {size:>9,} {name}: core p50 {result['core']['p50_ms']} ms", flush=True)
        engine.dispose()
        report["sizes"][str(size)] = entry
    report["summary"] = summarise(report)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "search_core.json").write_text(json.dumps(report, indent=2) + "\n")
    return report
