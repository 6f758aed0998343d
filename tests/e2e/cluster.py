"""Several app processes behind nginx, as deploy/ describes: PostgreSQL, two
`streamlit run deploy/serve.py` processes on it, the worker, and nginx in front with the
configuration that deploy/nginx/render.py makes, all on free loopback ports under one
temporary folder.

nginx is Debian's (`apt-get install nginx`, .ci/run installs it), run unprivileged-style:
its own prefix, pid file, logs and temp folders, `daemon off` (the test owns the process),
no default site (deploy/nginx/local.py). Missing nginx or PostgreSQL: skipped locally, a
failure under CI=true.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

from deploy.nginx.local import LocalNginx, find_nginx, start_local_nginx
from tests.conftest import REPO_ROOT, require_or_skip
from tests.e2e.conftest import (
    AppServer,
    fail_if_deprecation_warnings,
    launch_app_server,
    seed_database,
)
from tests.integration.conftest import (
    _describe_failure,
    _PgCommands,
    _start_server,
    find_postgres_bindir,
)

APP_PROCESSES = 2
DATABASE = "atlas_cluster"
PG_USER = "postgres"


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process's own group (started with start_new_session), then SIGKILL."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)
    except ProcessLookupError:
        pass


# ---- PostgreSQL ------------------------------------------------------------------------------


@contextmanager
def running_postgres() -> Iterator[str]:
    """A PostgreSQL server of its own (tests/integration/conftest.py's helpers); yields the
    URL of an empty database on it."""
    bindir = find_postgres_bindir()
    require_or_skip(bindir, "PostgreSQL server binaries not found; install `postgresql`")
    assert bindir is not None
    as_root = os.geteuid() == 0
    # Short path: the socket path must stay under ~100 bytes.
    workdir = Path(tempfile_dir("pa-cluster-pg-"))
    if as_root:
        user = pwd.getpwnam(PG_USER)  # initdb refuses root; _PgCommands runs it as postgres
        os.chown(workdir, user.pw_uid, user.pw_gid)
    datadir, log = workdir / "data", workdir / "server.log"
    pg = _PgCommands(bindir, workdir)
    started = False
    try:
        result = pg.run(
            "initdb", "-D", str(datadir), "-A", "trust", "-U", PG_USER, "--no-sync",
            "-E", "UTF8", "--no-locale",
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(_describe_failure("initdb", result, log))
        port = _start_server(pg, datadir, log)
        started = True
        server = f"postgresql+psycopg://{PG_USER}@127.0.0.1:{port}/postgres"
        admin = create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{DATABASE}"'))
        admin.dispose()
        yield make_url(server).set(database=DATABASE).render_as_string(hide_password=False)
    finally:
        if started:
            pg.run("pg_ctl", "-D", str(datadir), "-m", "fast", "-w", "stop", timeout=60)
        shutil.rmtree(workdir, ignore_errors=True)


def tempfile_dir(prefix: str) -> str:
    return tempfile.mkdtemp(prefix=prefix, dir="/tmp" if Path("/tmp").is_dir() else None)


def migrate_database(database_url: str) -> None:
    """`python -m core migrate`, as a deployment does before starting anything."""
    result = subprocess.run(
        [sys.executable, "-m", "core", "migrate"],
        cwd=REPO_ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"migrate failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")


# ---- worker ----------------------------------------------------------------------------------


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    log: Path

    def log_tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


def start_worker(database_url: str, log_dir: Path) -> Worker:
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / "worker.log"
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1"}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "core", "worker"],
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Worker(process=process, log=log)


# ---- the whole deployment --------------------------------------------------------------------


@dataclass
class Cluster:
    database_url: str
    apps: list[AppServer]
    worker: Worker
    nginx: LocalNginx

    def app(self, name: str) -> AppServer:
        """The app process nginx calls ``name`` (app1, app2, ...)."""
        address = self.nginx.names[name]
        return next(a for a in self.apps if f"127.0.0.1:{a.port}" == address)


@contextmanager
def running_cluster(workdir: Path, partners: int = 300) -> Iterator[Cluster]:
    """PostgreSQL (migrated, seeded in demo mode), APP_PROCESSES app processes, the worker
    and nginx; everything stopped, in reverse order, on the way out."""
    nginx = find_nginx()
    require_or_skip(nginx, "nginx not found; install it with `apt-get install nginx`")
    with ExitStack() as stack:
        database_url = stack.enter_context(running_postgres())
        migrate_database(database_url)
        seed_database(database_url, partners)
        apps: list[AppServer] = []
        for i in range(APP_PROCESSES):
            app = launch_app_server(database_url, workdir / f"app{i + 1}")
            stack.callback(app.stop)
            apps.append(app)
        worker = start_worker(database_url, workdir / "worker")
        stack.callback(_stop_group, worker.process)
        addresses = [f"127.0.0.1:{app.port}" for app in apps]
        proxy = start_local_nginx(addresses, workdir / "nginx", nginx)
        stack.callback(proxy.stop)
        yield Cluster(database_url, apps, worker, proxy)
    fail_if_deprecation_warnings(apps)
