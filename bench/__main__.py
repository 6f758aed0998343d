"""`make bench`: every benchmark, results to bench/results/*.json and a README table.

Usage: python -m bench [--only search,teams,...] [--sizes 10000,100000,1000000] [--report-only]
Not part of the test suite: timings depend on the machine and belong in a report. Each
benchmark is a module with ``run(sizes=..., out_dir=...)`` writing one JSON file in the schema
bench/report.py documents; modules are imported only when their benchmark runs, so one whose
dependencies are missing does not stop the others from being listed or run.
"""

from __future__ import annotations

import argparse
import importlib
import time
from pathlib import Path

from bench.report import write_readme_section

RESULTS = Path(__file__).resolve().parent / "results"
# benchmark name -> (module, default sizes)
BENCHMARKS = {
    "search": ("bench.search_core", [10_000, 100_000, 1_000_000]),
    "teams": ("bench.teams", [100_000]),
    "map": ("bench.map_payload", [100_000, 1_000_000]),
    "browser": ("bench.browser_filter", [100_000]),
    "program": ("bench.program_page", [10_000, 100_000, 1_000_000]),
    "index_edits": ("bench.index_edits", [100_000, 1_000_000]),
    "cold_start": ("bench.cold_start", [100_000, 1_000_000]),
    "app_paths": ("bench.app_paths", [100_000, 1_000_000]),
    "load": ("bench.load", [100_000]),
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--only", default=",".join(BENCHMARKS))
    parser.add_argument("--sizes", default="", help="override sizes, e.g. 10000,100000")
    parser.add_argument("--report-only", action="store_true", help="only regenerate README's table")
    args = parser.parse_args()
    names = [] if args.report_only else [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    for name in names:
        module_name, sizes = BENCHMARKS[name]
        if args.sizes:
            sizes = [int(s) for s in args.sizes.split(",")]
        started = time.perf_counter()
        print(f"[bench] {name}: sizes {sizes}", flush=True)
        importlib.import_module(module_name).run(sizes=sizes, out_dir=RESULTS)
        print(f"[bench] {name} done in {time.perf_counter() - started:.0f} s", flush=True)
    write_readme_section(results_dir=RESULTS)


if __name__ == "__main__":
    main()
