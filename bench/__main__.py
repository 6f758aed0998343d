"""`make bench`: every benchmark, results to bench/results/*.json and a README table.

Usage: python -m bench [--only search,map,teams,browser,program] [--sizes 10000,100000,1000000]
Not part of the test suite: timings depend on the machine and belong in a report.
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
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--only", default=",".join(BENCHMARKS))
    parser.add_argument("--sizes", default="", help="override sizes, e.g. 10000,100000")
    args = parser.parse_args()
    for name in [n.strip() for n in args.only.split(",") if n.strip()]:
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
