"""A/B of the search core between two checkouts: run it in each, alternating, e.g.
``PYTHONPATH=TREE python TREE/bench/ab_search.py 100000 60``. Prints the read-index build time
and, per query, the p50 of the core search and of the NumPy floor on the same index in the
same process. Falls back to the flat module names of commits before the package layout.
"""

import json
import statistics
import sys
import time

from sqlalchemy import create_engine

try:
    from core.search.index import build_read_index
    from core.search.ranking import search_index
except ImportError:  # before the package layout
    from core.read_index import build_read_index  # type: ignore[no-redef]

    from core.search import search_index  # type: ignore[no-redef,attr-defined]
from bench.directories import directory_url
from bench.search_core import QUERIES, numpy_floor

size, runs = int(sys.argv[1]), int(sys.argv[2])
engine = create_engine(directory_url(size))
started = time.perf_counter()
index = build_read_index(engine)
build = time.perf_counter() - started
out = {"build_s": round(build, 2)}
for name, make in QUERIES.items():
    core, floor = [], []
    for i in range(runs):
        q = make(i)
        started = time.perf_counter()
        search_index(index, q)
        core.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        numpy_floor(index, q)
        floor.append((time.perf_counter() - started) * 1000)
    c, f = statistics.median(core), statistics.median(floor)
    out[name] = f"core {c:.2f} ms, floor {f:.2f} ms, x{c / f:.2f}"
print(json.dumps(out))
