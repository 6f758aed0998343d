"""Edits reaching another process's search (issue 15): deltas beside today's full rebuild.

At each size, on a private copy of the seeded directory (edits must not touch the shared
one), two processes share the SQLite file: this process (W) saves profile edits through the
real service (core.directory.profiles.save_profile), a reader process (R) searches. For
each edit W adds a fresh word to a partner's description, commits, and asks R to search
for it until that partner is found. Measured in R:

* edit -> visible in R's search: p50/p95 over `edits` edits (W's commit to R's hit)
* CPU per applied edit: time.process_time around R's catching up (and the holder's own
  thread CPU of the delta apply)
* RSS of R after the first build (and one search with a place, which loads the ZIP table
  once per process), after 100 edits, after 3 full rebuilds (each forced by a
  change of unknown partners, so the holder rebuilds beside the serving index)
* R's search latency while a full rebuild runs (p50/p95/max, and how many searches ran)
* today: the same edits with a holder that rebuilds the whole index for every change (the
  code before issue 15): edit -> visible and CPU per edit (fewer edits: each costs a build)

Writes out_dir/index_edits.json.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.directories import CACHE, ROOT, _stem
from bench.report import figure

# Private copies: the writes of this benchmark must not change the shared directories.
PRIVATE = Path(os.environ.get("ATLAS_BENCH_PRIVATE") or tempfile.gettempdir()) / "atlas-index-edits"
QUERY_DURING_REBUILD = {"needs": ["security", "cloud"], "near": "78701", "radius_km": 80}


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def private_copy(size: int) -> str:
    """A migrated copy of the seeded directory (waits for its seeding to finish)."""
    seeded = CACHE / f"{_stem(size, False)}.sqlite"
    while not seeded.with_suffix(".done").exists():
        print(f"[bench] waiting for {seeded.name} to be seeded …", flush=True)
        time.sleep(30)
    PRIVATE.mkdir(exist_ok=True)
    copy = PRIVATE / f"index-edits-{size}.sqlite"
    for stale in PRIVATE.glob(f"{copy.name}*"):
        stale.unlink()
    shutil.copyfile(seeded, copy)
    url = f"sqlite:///{copy}"
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([sys.executable, "-m", "core", "migrate"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    return url


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    if not ordered:
        return {}
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "p50": round(statistics.median(ordered), 2),
        "p95": round(p95, 2),
        "max": round(ordered[-1], 2),
        "n": len(ordered),
    }


# --- the reader process --------------------------------------------------------------


def reader(url: str, mode: str) -> None:
    """R: answers commands on stdin with one JSON line each on stdout."""
    from sqlalchemy import create_engine

    from core.search.index import ReadIndexHolder, build_read_index
    from core.search.query import SearchQuery
    from core.search.ranking import search_index

    engine = create_engine(url)
    if mode == "app":
        # The app's own holder (pages.get_index_holder): a snapshot on disk to start from,
        # full rebuilds in a child process that writes the next one.
        from core.search.snapshot_build import snapshot_holder

        holder = snapshot_holder(engine=engine, base=PRIVATE / "snapshots", database_url=url)
    else:
        holder = ReadIndexHolder(engine=engine)
    if mode == "today":
        # The code before issue 15: the caller that sees a new version rebuilds everything.
        def rebuild_all(version: int) -> None:
            holder._index = build_read_index(engine)

        holder._catch_up = rebuild_all  # type: ignore[method-assign]
    started = time.perf_counter()
    holder.get()
    build_s = time.perf_counter() - started
    # One search with a place first: the ZIP table (~150 MB, loaded once per process) must
    # not be mistaken for growth of the index.
    search_index(holder.get(), SearchQuery(**QUERY_DURING_REBUILD))
    say({"ready": True, "build_s": round(build_s, 2), "rss_mb": rss_mb()})
    for line in sys.stdin:
        command, *args = line.split()
        if command == "wait":
            token, partner_id = args[0], int(args[1])
            cpu = time.process_time()
            deltas, searches = holder.deltas_applied, 0
            while True:  # no index kept in a local: it would outlive the next rebuild
                searches += 1
                hits = search_index(holder.get(), SearchQuery(keyword=token))
                if any(r.partner_id == partner_id for r in hits.results):
                    break
            say({
                "seen_at": time.time(), "cpu_s": time.process_time() - cpu, "searches": searches,
                "delta_cpu_s": holder.last_delta_cpu_seconds
                if holder.deltas_applied > deltas else None,
            })  # fmt: skip
        elif command == "rebuild":
            query = SearchQuery(**QUERY_DURING_REBUILD)
            latencies: list[float] = []
            holder.get()  # sees the change of unknown partners: starts the rebuild
            while holder.rebuilding:
                t = time.perf_counter()
                search_index(holder.get(), query)
                latencies.append((time.perf_counter() - t) * 1000)
            holder.wait_for_rebuild()
            holder.get()
            say({"latencies_ms": latencies, "rss_mb": rss_mb(), "rebuilds": holder.full_rebuilds})
        elif command == "rss":
            say({"rss_mb": rss_mb()})
        elif command == "quit":
            return


def say(message: dict[str, Any]) -> None:
    print(json.dumps(message), flush=True)


# --- the writer (this process) -------------------------------------------------------


class Reader:
    def __init__(self, url: str, mode: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.index_edits", "--reader", url, mode],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        self.ready = self.receive()

    def ask(self, command: str) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.receive()

    def receive(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the reader process ended")
        return dict(json.loads(line))

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write("quit\n")
        self.process.stdin.flush()
        self.process.wait(60)


def edit_and_wait(writer: Any, r: Reader, number: int) -> dict[str, Any]:
    partner_id, token = writer.edit(number)
    committed = time.time()
    answer = r.ask(f"wait {token} {partner_id}")
    answer["visible_ms"] = (answer["seen_at"] - committed) * 1000
    return answer


class Writer:
    def __init__(self, url: str) -> None:
        from sqlalchemy import text

        from core.db import create_db_engine, session_scope
        from core.models import Account, AccountPublic

        self.engine = create_db_engine(url)
        self.session_scope = session_scope
        with session_scope(self.engine) as session:
            admin = session.exec(  # type: ignore[attr-defined]
                text("SELECT id FROM account WHERE role = 'admin' ORDER BY id LIMIT 1")
            ).scalar()
            self.admin = AccountPublic.model_validate(session.get(Account, admin))
            top = session.execute(text("SELECT MAX(id) FROM partner")).scalar()
        self.top = int(top)

    def edit(self, number: int) -> tuple[int, str]:
        from core.directory.profiles import load_profile_for_edit, save_profile
        from core.models import PartnerUpdate

        partner_id = 1 + (number * 7919) % self.top
        token = f"zqedit{number}x{os.getpid()}"
        with self.session_scope(self.engine) as session:
            profile = load_profile_for_edit(
                session=session, actor=self.admin, partner_id=partner_id
            )
            description = (profile.values.get("description") or "")[:400] + f" {token}"
            save_profile(
                session=session, actor=self.admin, partner_id=partner_id,
                expected_version=profile.version, changes=PartnerUpdate(description=description),
            )  # fmt: skip
        return partner_id, token

    def change_unknown_partners(self) -> None:
        from core.db import bump_data_version

        with self.session_scope(self.engine) as session:
            bump_data_version(session)


def measure(url: str, *, edits: int, today_edits: int) -> dict[str, Any]:
    writer = Writer(url)
    result: dict[str, Any] = {}
    shutil.rmtree(PRIVATE / "snapshots", ignore_errors=True)
    r = Reader(url, "app")
    result["first_build_s"] = r.ready["build_s"]
    result["rss_mb_first_build"] = r.ready["rss_mb"]
    timed = [edit_and_wait(writer, r, n) for n in range(edits)]
    result["edit_to_visible_ms"] = percentiles([a["visible_ms"] for a in timed])
    result["reader_cpu_ms_per_edit"] = percentiles([a["cpu_s"] * 1000 for a in timed])
    result["delta_apply_cpu_ms"] = percentiles(
        [a["delta_cpu_s"] * 1000 for a in timed if a["delta_cpu_s"] is not None]
    )
    for n in range(edits, 100):
        edit_and_wait(writer, r, n)
    result["rss_mb_after_100_edits"] = r.ask("rss")["rss_mb"]
    during: list[float] = []
    for _ in range(3):
        writer.change_unknown_partners()
        answer = r.ask("rebuild")
        during += answer["latencies_ms"]
    result["rss_mb_after_3_rebuilds"] = answer["rss_mb"]
    result["search_ms_during_rebuild"] = percentiles(during)
    r.close()
    today = Reader(url, "today")
    timed = [edit_and_wait(writer, today, 1000 + n) for n in range(today_edits)]
    today.close()
    result["today"] = {
        "edit_to_visible_ms": percentiles([a["visible_ms"] for a in timed]),
        "reader_cpu_ms_per_edit": percentiles([a["cpu_s"] * 1000 for a in timed]),
    }
    return result


def figures_of(entry: dict[str, Any], size: int) -> list[dict[str, Any]]:
    """The README's figures (bench/report.py); today's full rebuild is the comparison."""
    today = entry["today"]
    first = entry["rss_mb_first_build"]

    def growth(after: float) -> float:
        return round((after - first) / first * 100, 1)

    rebuild = "full rebuild per edit (before issue 15)"
    return [
        figure(
            name="edit -> visible in another process's search, p50", key="edit_visible_p50",
            size=size, unit="s", project=entry["edit_to_visible_ms"]["p50"] / 1000,
            best_baseline=today["edit_to_visible_ms"].get("p50", 0) / 1000,
            best_baseline_name=rebuild, target="<= 1 s",
        ),
        figure(
            name="reader CPU per applied edit, p50", key="edit_cpu", size=size, unit="ms",
            project=entry["reader_cpu_ms_per_edit"]["p50"],
            best_baseline=today["reader_cpu_ms_per_edit"].get("p50"),
            best_baseline_name=rebuild, target="<= 50 ms",
        ),
        figure(
            name="reader memory after 100 edits vs first build", key="memory_after_edits",
            size=size, unit="%", project=growth(entry["rss_mb_after_100_edits"]),
            target="<= 10 %",
        ),
        figure(
            name="reader memory after 3 full rebuilds vs first build",
            key="memory_after_rebuilds", size=size, unit="%",
            project=growth(entry["rss_mb_after_3_rebuilds"]), target="<= 10 %",
        ),
        figure(
            name="search during a full rebuild, p95", size=size, unit="ms",
            project=entry["search_ms_during_rebuild"].get("p95"),
        ),
    ]  # fmt: skip


def run(*, sizes: list[int], out_dir: Path, edits: int = 30) -> dict[str, Any]:
    report: dict[str, Any] = {"benchmark": "index edits", "sizes": {}, "figures": []}
    for size in sizes:
        url = private_copy(size)
        entry = measure(url, edits=edits, today_edits=5 if size <= 100_000 else 3)
        report["sizes"][str(size)] = entry
        report["figures"] += figures_of(entry, size)
        print(f"[bench] {size:>9,}: {json.dumps(entry)}", flush=True)
        for stale in PRIVATE.glob(f"index-edits-{size}.sqlite*"):
            stale.unlink()
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "index_edits.json").write_text(json.dumps(report, indent=2) + "\n")
    return report


if __name__ == "__main__":
    if sys.argv[1] == "--reader":
        reader(sys.argv[2], sys.argv[3])
    else:
        run(sizes=[int(s) for s in sys.argv[1:]], out_dir=ROOT / "bench" / "results")
