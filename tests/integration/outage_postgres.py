"""A PostgreSQL server of one's own, to stop and start inside a test (database outages).

The session's shared server (tests/integration/conftest.py) must never go down under other
tests, so outage tests start this one: same binaries and settings (the conftest's helpers), a
database with the app schema made by core's migrations, and ``stop()``/``start()`` that bring
the server down and back on the SAME port, as a restarted production server would come back.
"""

from __future__ import annotations

import os
import pwd
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from tests.conftest import require_or_skip
from tests.integration.conftest import (
    _PG_USER,
    _admin_engine,
    _build_schema,
    _database_url,
    _describe_failure,
    _PgCommands,
    _start_server,
    find_postgres_bindir,
)

DATABASE = "atlas_outage"


@dataclass
class OutagePostgres:
    pg: _PgCommands
    datadir: Path
    log: Path
    port: int
    running: bool = True

    @property
    def server_url(self) -> str:
        return f"postgresql+psycopg://{_PG_USER}@127.0.0.1:{self.port}/postgres"

    @property
    def database_url(self) -> str:
        """The app's database (schema by core's migrations)."""
        return _database_url(self.server_url, DATABASE)

    def stop(self) -> None:
        """Down at once: "fast" ends every client connection, as a crash or restart would."""
        result = self.pg.run("pg_ctl", "-D", str(self.datadir), "-m", "fast", "-w", "stop")
        if result.returncode != 0:
            raise RuntimeError(_describe_failure("stop", result, self.log))
        self.running = False

    def start(self) -> None:
        """Back on the same port (the app's DATABASE_URL does not change)."""
        options = (
            f"-p {self.port} -k {self.pg.workdir} -c listen_addresses=127.0.0.1 -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off"
        )
        result = self.pg.run(
            "pg_ctl", "-D", str(self.datadir), "-l", str(self.log), "-w", "-t", "60", "start",
            "-o", options,
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(_describe_failure("start", result, self.log))
        self.running = True


@contextmanager
def outage_postgres() -> Iterator[OutagePostgres]:
    """A fresh server with the app schema in ``DATABASE``; skipped without PostgreSQL."""
    bindir = find_postgres_bindir()
    require_or_skip(bindir is not None, "PostgreSQL server binaries (initdb, pg_ctl) not found")
    assert bindir is not None
    workdir = Path(tempfile.mkdtemp(prefix="pa-out-", dir="/tmp"))
    if os.geteuid() == 0:
        user = pwd.getpwnam(_PG_USER)
        os.chown(workdir, user.pw_uid, user.pw_gid)
    pg = _PgCommands(bindir, workdir)
    datadir, log = workdir / "data", workdir / "server.log"
    server: OutagePostgres | None = None
    try:
        result = pg.run(
            "initdb", "-D", str(datadir), "-A", "trust", "-U", _PG_USER, "--no-sync",
            "-E", "UTF8", "--no-locale",
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(_describe_failure("initdb", result, log))
        server = OutagePostgres(pg, datadir, log, _start_server(pg, datadir, log))
        admin = _admin_engine(server.server_url)
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{DATABASE}"'))
        finally:
            admin.dispose()
        _build_schema(server.database_url)
        yield server
    finally:
        if server is not None and server.running:
            pg.run("pg_ctl", "-D", str(datadir), "-m", "immediate", "-w", "stop", timeout=60)
        shutil.rmtree(workdir, ignore_errors=True)
