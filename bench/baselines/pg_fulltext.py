"""PostgreSQL full-text search with a GIN index: the keyword baseline on a PostgreSQL run.

The bench directories are SQLite files, so this starts a throwaway PostgreSQL server (the
same binaries and start-up as tests/integration/conftest.py), copies each partner's id,
name and description into it, adds a stored tsvector column ('simple' configuration: no
stemming, as the core has none) and a GIN index on it; its build time is reported. A
keyword becomes prefix terms ANDed ("back" finds "backup"); count, then the first 20
(unranked, as the FTS5 baseline: the fastest correct answer).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import psycopg

from core.search.query import SearchQuery
from core.search.token_index import split_words

PAGE = 20


@contextlib.contextmanager
def server() -> Iterator[str | None]:
    """A throwaway server's psycopg conninfo, or None when PostgreSQL is not installed."""
    from tests.integration.conftest import (  # the test suite's own start-up, reused
        _PgCommands,
        _start_server,
        find_postgres_bindir,
    )

    bindir = find_postgres_bindir()
    if bindir is None:
        yield None
        return
    workdir = Path(tempfile.mkdtemp(prefix="pa-bench-pg-", dir="/tmp"))
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(workdir, user.pw_uid, user.pw_gid)
    pg, datadir, log = _PgCommands(bindir, workdir), workdir / "data", workdir / "server.log"
    started = False
    try:
        pg.run("initdb", "-D", str(datadir), "-A", "trust", "-U", "postgres", "--no-sync",
               "-E", "UTF8", "--no-locale")  # fmt: skip
        port = _start_server(pg, datadir, log)
        started = True
        yield f"host=127.0.0.1 port={port} user=postgres dbname=postgres"
    finally:
        if started:
            pg.run("pg_ctl", "-D", str(datadir), "-m", "fast", "-w", "stop", timeout=60)
        shutil.rmtree(workdir, ignore_errors=True)


def load(conninfo: str, sqlite_path: Path) -> dict[str, float]:
    """Copy the partners' texts in, then build the tsvector column and its GIN index."""
    seconds: dict[str, float] = {}
    source = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS partner_text")
        conn.execute(
            "CREATE TABLE partner_text (id bigint PRIMARY KEY, name text, description text)"
        )
        started = time.perf_counter()
        with conn.cursor().copy("COPY partner_text (id, name, description) FROM STDIN") as copy:
            for row in source.execute("SELECT id, name, description FROM partner"):
                copy.write_row(row)
        seconds["copy"] = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        conn.execute(
            "ALTER TABLE partner_text ADD COLUMN doc tsvector GENERATED ALWAYS AS "
            "(to_tsvector('simple', coalesce(name, '') || ' ' || coalesce(description, ''))) STORED"
        )
        conn.execute("CREATE INDEX partner_text_doc ON partner_text USING gin (doc)")
        conn.execute("ANALYZE partner_text")
        seconds["tsvector_and_gin_index"] = round(time.perf_counter() - started, 2)
    source.close()
    return seconds


def tsquery(keyword: str) -> str | None:
    words = [w.replace("'", "").replace("\\", "") for w in split_words(keyword.lower())]
    return " & ".join(f"'{w}':*" for w in words if w) or None


def search(conn: psycopg.Connection, query: SearchQuery) -> tuple[int, list[int]]:
    """(total, first page of ids) for a keyword-only query."""
    terms = tsquery(query.keyword or "")
    total = conn.execute(
        "SELECT count(*) FROM partner_text WHERE doc @@ to_tsquery('simple', %s)", (terms,)
    ).fetchone()
    page = conn.execute(
        "SELECT id FROM partner_text WHERE doc @@ to_tsquery('simple', %s) LIMIT %s",
        (terms, PAGE),
    ).fetchall()
    return int(total[0] if total else 0), [int(r[0]) for r in page]


def matching_ids(conn: psycopg.Connection, query: SearchQuery) -> np.ndarray:
    rows = conn.execute(
        "SELECT id FROM partner_text WHERE doc @@ to_tsquery('simple', %s)",
        (tsquery(query.keyword or ""),),
    ).fetchall()
    return np.sort(np.asarray([r[0] for r in rows], dtype=np.int64))
