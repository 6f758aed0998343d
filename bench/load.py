"""Load: 1, 10, 20 and 50 browser sessions changing filters on Find partners at once.

Not a test: a benchmark (issue 15 item 4, issue 17 item 5). For each size (100,000 partners by
default) and each session count, a fresh ``streamlit run deploy/serve.py`` serves a private copy
of the seeded directory (bench.directories), and bench/load_sessions.py drives that many
sessions from one headless Chromium (one browser context per session). Every session opens
``START_PATH``, makes WARMUP changes, then — once all sessions are open — CHANGES measured
filter changes (tick/untick needs, change the radius), each followed by a think time drawn from
THINK_S (a person reads the results before the next change; ``think_s=(0, 0)`` is the closed
loop that finds the saturation throughput).

Per session count, in load.json:
- ``filter_change``: p50/p95/max from the change to the results rendered, over all sessions;
- ``errors``: changes that did not render within 60 s, or showed an exception or a lost
  connection (a few messages are kept);
- ``server_cpu_ms_per_change``: the server process's CPU time (all threads, /proc utime+stime)
  over the measured window divided by the changes made in it;
- ``memory_per_session_mb``: the server's RSS with every session open (the larger of the
  window's start and end) minus its RSS once warm with no session open, divided by the
  sessions (noise of a few MB dominates at 1 session);
- ``floor``: the same measurement on bench/floor_app/ (the same filter widgets, no search), so
  ``cpu_vs_floor`` is Find partners' CPU per change over the floor's, in the same run.

The machine has 2 CPUs, and the browser that plays the sessions runs on them too: browser and
server compete. So the server's CPU is read from its own process and reported apart from the
machine's (``machine_busy_cores``: all processes, including the browser and anyone else's work;
``other_busy_cores`` is that minus the server). When ``machine_busy_cores`` nears 2, latencies
include waiting for a core the browser holds, and the figure says so (``client_saturated``).

Today's app in the same run: ``baseline_root`` names another checkout (``git archive <commit> |
tar -x -C DIR`` with this .venv and .cache linked in); its Find partners is measured at
``baseline_sessions`` on the same directory copy and written under ``baseline``.

Several processes behind nginx (issue 15 item 2): ``--processes 2`` also measures
``--cluster-sessions`` (20 by default) against two ``streamlit run deploy/serve.py`` on the same
directory file behind nginx (deploy/nginx/local.py, the deployment's configuration: each browser
context gets its own ``atlas_upstream`` affinity cookie), written under ``processes`` beside
the one-process ``levels``; CPU and RSS are summed over the processes, each process is primed
directly, and ``sessions_per_process`` counts the WebSocket connections nginx sent to each.

``figures`` (BENCH_SCHEMA.md, bench/load_report.figures_of): per level, p95 in seconds (the
one-process 20-session one is the README key ``filter_change_p95_20_sessions``), errors, and
the server CPU per change beside the floor's (target ≤ 2× floor).

Heavy: run it under ``flock /work/wt/bench.lock`` on shared machines, e.g.
``flock /work/wt/bench.lock .venv/bin/python -m bench.load --sessions 1,10,20,50``.
``--profile DIR`` writes a cProfile of the app server per session count (for where the CPU
goes; its figures carry the profiler's overhead and are not written to load.json).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import pstats
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.directories import directory_url
from bench.load_cluster import Cluster, launch_cluster, served_by
from bench.load_report import figures_of, nearest_floor, percentiles, summary_rows
from bench.load_server import APP_SCRIPT, FLOOR_SCRIPT, launch, machine_busy, usage
from bench.load_sessions import Plan, SessionResult, drive
from tests.e2e.conftest import copy_sqlite_database

START_PATH = "/find_partners?needs=security&near=60601&radius=80"
SESSIONS = (1, 10, 20, 50)
FLOOR_SESSIONS = (1, 20)
BASELINE_SESSIONS = (1, 10, 20)
CLUSTER_SESSIONS = (20,)  # with --processes N > 1, measured beside the one-process levels
WARMUP = 2
CHANGES = 8
THINK_S = (2.0, 4.0)
RAMP_S = 0.2
SATURATED_CORES = 1.8  # of 2: above this the client and the server wait for each other


def measure(
    url: str,
    pids: list[int],
    *,
    sessions: int,
    start_path: str,
    think_s: tuple[float, float],
    prime_urls: list[str] | None = None,
) -> dict[str, Any]:
    """Drive ``sessions`` sessions against ``url``; the CPU and memory of ``pids`` beside."""
    marks: dict[str, tuple[float, float, float, float, float]] = {}

    def on_window(name: str) -> None:
        now = [usage(pid) for pid in pids]
        busy, total = machine_busy()
        cpu = sum(u.cpu_s for u in now)
        rss = sum(u.rss_mb for u in now)
        marks[name] = (time.perf_counter(), cpu, rss, busy, total)

    plan = Plan(
        url=url, start_path=start_path, warmup=WARMUP, changes=CHANGES, think_s=think_s,
        ramp_s=RAMP_S,
    )  # fmt: skip
    results: list[SessionResult] = asyncio.run(drive(plan, sessions, on_window, prime_urls))
    (t0, cpu0, rss0, busy0, total0), (t1, cpu1, rss1, busy1, total1) = marks["start"], marks["end"]
    rss_primed = marks["primed"][2]
    samples = [s for r in results for s in r.samples_ms]
    errors = [e for r in results for e in r.errors]
    changes = len(samples) + len(errors)
    window = t1 - t0
    cores = (total1 - total0) / window if window else 0.0
    machine = (busy1 - busy0) / window if window else 0.0
    server_cores = (cpu1 - cpu0) / window if window else 0.0
    return {
        "sessions": sessions,
        "filter_change": percentiles(samples),
        "errors": len(errors),
        "error_examples": errors[:5],
        "changes": changes,
        "window_s": round(window, 1),
        "changes_per_s": round(changes / window, 2) if window else 0.0,
        "server_cpu_ms_per_change": round((cpu1 - cpu0) * 1000 / changes, 1) if changes else None,
        "server_busy_cores": round(server_cores, 2),
        "machine_cores": round(cores, 2),
        "machine_busy_cores": round(machine, 2),
        "other_busy_cores": round(machine - server_cores, 2),
        "client_saturated": machine >= SATURATED_CORES,
        "server_rss_warm_mb": round(rss_primed, 1),
        "server_rss_end_mb": round(rss1, 1),
        "memory_per_session_mb": round((max(rss0, rss1) - rss_primed) / sessions, 2),
        "first_load_s_p50": round(statistics.median(r.first_load_s for r in results), 2),
    }


def _print_profile(path: Path, lines: int = 35) -> None:
    if path.exists():
        stats = pstats.Stats(str(path))
        stats.sort_stats("cumulative").print_stats(lines)
        stats.sort_stats("tottime").print_stats(lines)


def _measure_app(
    size: int,
    sessions: int,
    processes: int,
    url: str,
    tmp: Path,
    profile_dir: Path | None,
    think_s: tuple[float, float],
    server_env: dict[str, str] | None,
) -> dict[str, Any]:
    """One level of Find partners: ``processes`` app processes (CPU and RSS summed)."""
    log_dir = tmp / f"app-{processes}x{sessions}"
    # A fresh index snapshot folder per level, shared by its processes as in a deployment:
    # no level starts from another's snapshot.
    env = {"ATLAS_INDEX_SNAPSHOT_DIR": str(log_dir / "index"), **(server_env or {})}
    if profile_dir is not None and processes == 1:
        profile_dir.mkdir(parents=True, exist_ok=True)
        profile = profile_dir / f"app-{size}-{sessions}.prof"
        server = launch(APP_SCRIPT, url, log_dir, profile_to=profile, extra_env=env)
        cluster = Cluster(server.url, [server])
    else:
        cluster = launch_cluster(url, log_dir, processes, env)
    try:
        level = measure(
            cluster.url, [s.process.pid for s in cluster.servers], sessions=sessions,
            start_path=START_PATH, think_s=think_s,
            prime_urls=[s.url for s in cluster.servers] if cluster.proxy else None,
        )  # fmt: skip
        level["processes"] = processes
        if cluster.proxy is not None:
            level["sessions_per_process"] = served_by(cluster)
    finally:
        cluster.stop()
    if profile_dir is not None and processes == 1:
        _print_profile(profile_dir / f"app-{size}-{sessions}.prof")
    return level


def run_size(
    size: int,
    *,
    sessions: tuple[int, ...] = SESSIONS,
    floor_sessions: tuple[int, ...] = FLOOR_SESSIONS,
    think_s: tuple[float, float] = THINK_S,
    processes: int = 1,
    cluster_sessions: tuple[int, ...] = CLUSTER_SESSIONS,
    profile_dir: Path | None = None,
    baseline_root: Path | None = None,
    baseline_sessions: tuple[int, ...] = BASELINE_SESSIONS,
    server_env: dict[str, str] | None = None,
    checkpoint: Callable[[dict[str, Any]], None] = lambda entry: None,
) -> dict[str, Any]:
    """One size; ``checkpoint(entry)`` after each measurement, so a run stopped half-way
    (a 50-session level on a busy machine takes long) keeps what it measured."""
    source = Path(directory_url(size).removeprefix("sqlite:///"))
    # levels: one process; processes: {"2": {sessions: level}} behind nginx.
    entry: dict[str, Any] = {"levels": {}, "processes": {}, "floor": {}, "baseline": {}}
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        database = Path(tmp) / "directory.sqlite"
        copy_sqlite_database(source, database)  # the app records demand events
        url = f"sqlite:///{database}"
        for n in floor_sessions:
            floor = launch(FLOOR_SCRIPT, url, Path(tmp) / f"floor-{n}", extra_env=server_env)
            try:
                entry["floor"][str(n)] = measure(
                    floor.url, [floor.process.pid], sessions=n, start_path="/", think_s=think_s
                )
            finally:
                floor.stop()
            print(f"[bench] load floor {n}: {entry['floor'][str(n)]}", flush=True)
            checkpoint(entry)
        for n in baseline_sessions if baseline_root is not None else ():
            old = launch(
                APP_SCRIPT, url, Path(tmp) / f"baseline-{n}", root=baseline_root,
                extra_env=server_env,
            )  # fmt: skip
            try:
                entry["baseline"][str(n)] = measure(
                    old.url, [old.process.pid], sessions=n, start_path=START_PATH,
                    think_s=think_s,
                )  # fmt: skip
            finally:
                old.stop()
            print(f"[bench] load baseline {n}: {entry['baseline'][str(n)]}", flush=True)
            checkpoint(entry)
        for procs, counts in ((1, sessions), (processes, cluster_sessions)):
            if procs == 1 and counts is cluster_sessions:
                continue  # --processes 1: the one-process levels only
            for n in counts:
                level = _measure_app(size, n, procs, url, Path(tmp), profile_dir, think_s,
                                     server_env)  # fmt: skip
                floor_cpu = nearest_floor(entry["floor"], n)
                if floor_cpu and level["server_cpu_ms_per_change"]:
                    level["cpu_vs_floor"] = round(level["server_cpu_ms_per_change"] / floor_cpu, 2)
                levels = entry["levels"] if procs == 1 else entry["processes"].setdefault(
                    str(procs), {}
                )  # fmt: skip
                levels[str(n)] = level
                print(f"[bench] load {size:,} x{n} on {procs} process(es): {level}", flush=True)
                checkpoint(entry)
    return entry


def run(
    *,
    sizes: list[int],
    out_dir: Path,
    sessions: tuple[int, ...] = SESSIONS,
    think_s: tuple[float, float] = THINK_S,
    processes: int = 1,
    cluster_sessions: tuple[int, ...] = CLUSTER_SESSIONS,
    profile_dir: Path | None = None,
    floor_sessions: tuple[int, ...] = FLOOR_SESSIONS,
    baseline_root: Path | None = None,
    baseline_sessions: tuple[int, ...] = BASELINE_SESSIONS,
    server_env: dict[str, str] | None = None,
) -> dict[str, Any]:
    report: dict[str, Any] = {
        "benchmark": "load: concurrent browser sessions changing filters on Find partners",
        "start": START_PATH,
        "think_s": list(think_s),
        "warmup_changes": WARMUP,
        "changes_per_session": CHANGES,
        "processes": processes,
        "baseline_root": str(baseline_root) if baseline_root else None,
        "server_env": server_env or {},
        "cpus": len(__import__("os").sched_getaffinity(0)),
        "sizes": {},
        "summary": [],
        "figures": [],
    }

    def save(size: int, entry: dict[str, Any]) -> None:
        report["sizes"][str(size)] = entry
        report["summary"] = [
            row for n, done in report["sizes"].items() for row in summary_rows(int(n), done)
        ]
        report["figures"] = [
            fig for n, done in report["sizes"].items() for fig in figures_of(int(n), done)
        ]
        if profile_dir is None:
            out_dir.mkdir(parents=True, exist_ok=True)
            (out_dir / "load.json").write_text(json.dumps(report, indent=2) + "\n")

    for size in sizes:
        entry = run_size(
            size,
            sessions=sessions,
            floor_sessions=floor_sessions,
            think_s=think_s,
            processes=processes,
            cluster_sessions=cluster_sessions,
            profile_dir=profile_dir,
            baseline_root=baseline_root,
            baseline_sessions=baseline_sessions,
            server_env=server_env,
            checkpoint=lambda done, size=size: save(size, done),
        )
        save(size, entry)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load")
    parser.add_argument("--sizes", default="100000")
    parser.add_argument("--sessions", default=",".join(map(str, SESSIONS)))
    parser.add_argument("--floor-sessions", default=",".join(map(str, FLOOR_SESSIONS)))
    parser.add_argument("--think", default=f"{THINK_S[0]},{THINK_S[1]}", help="min,max seconds")
    parser.add_argument(
        "--processes", type=int, default=1, help=">1: also that many processes behind nginx"
    )
    parser.add_argument(
        "--cluster-sessions",
        default=",".join(map(str, CLUSTER_SESSIONS)),
        help="session counts measured with --processes N > 1",
    )
    parser.add_argument("--profile", type=Path, default=None, help="cProfile the app server")
    parser.add_argument("--baseline-root", type=Path, default=None, help="today's checkout")
    parser.add_argument("--baseline-sessions", default=",".join(map(str, BASELINE_SESSIONS)))
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        help="KEY=VALUE for every server, e.g. STREAMLIT_RUNNER_POST_SCRIPT_GC=false",
    )
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()
    low, high = (float(v) for v in args.think.split(","))
    run(
        sizes=[int(s) for s in args.sizes.split(",")],
        out_dir=args.out,
        sessions=tuple(int(s) for s in args.sessions.split(",")),
        floor_sessions=tuple(int(s) for s in args.floor_sessions.split(",") if s),
        think_s=(low, high),
        processes=args.processes,
        cluster_sessions=tuple(int(s) for s in args.cluster_sessions.split(",") if s),
        profile_dir=args.profile,
        baseline_root=args.baseline_root,
        baseline_sessions=tuple(int(s) for s in args.baseline_sessions.split(",") if s),
        server_env=dict(pair.split("=", 1) for pair in args.server_env) or None,
    )


if __name__ == "__main__":
    main()
