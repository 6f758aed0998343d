"""Baselines the core is compared with, each returning the same matches as the core.

* ``store``        — the derived SQLite file the SQL baselines read (a copy of the columns
                     they need, with the indexes each query needs, plus an FTS5 table);
                     never the app's schema.
* ``sql_indexed``  — what a capable engineer writes: bounding box on an index before the
                     exact distance, per-need lookups on an index, FTS5 for keywords.
* ``pg_fulltext``  — PostgreSQL full-text search with a GIN index, for keyword queries.
* ``naive``        — the benchmark's earlier baseline (no index, LIKE, pandas), kept as the
                     column labelled "naive".
* ``teams_exact``  — a straightforward exact team search: increasing size, branch on the
                     least-covered need, bound-pruned, over the core's own candidates.
"""
