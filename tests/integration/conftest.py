"""Integration fixtures: a real PostgreSQL server per test session, and databases per test.

Tests that take `db_engine` (or `db_url`) run twice: once on a fresh SQLite file and once on a
fresh PostgreSQL database, so both supported back ends are exercised by the same test code.

The schema is built once per session by core's migrations (Alembic, as `python -m core migrate`
does; never create_all, so models and migrations cannot drift unnoticed) into a template (a
PostgreSQL template database, a SQLite file); each test that uses `db_engine` gets its own copy
of it, which is much cheaper than migrating per test. A test that takes only `db_url` gets an
empty database.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.pool import NullPool

from tests.conftest import copy_sqlite_database, require_or_skip

# Debian/Ubuntu keep one bin folder per major version; other systems rely on pg_config/PATH.
_DEBIAN_GLOB = "/usr/lib/postgresql/*/bin"
_PG_USER = "postgres"
_START_ATTEMPTS = 3


def _has_server_tools(bindir: Path) -> bool:
    return all((bindir / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres"))


def _version_key(bindir: Path) -> tuple[int, ...]:
    # "/usr/lib/postgresql/15/bin" -> (15,); numeric so that 10 sorts above 9.
    return tuple(int(part) for part in re.findall(r"\d+", bindir.parent.name))


def find_postgres_bindir() -> Path | None:
    """The newest folder holding initdb, pg_ctl and postgres, or None."""
    debian = [p for p in Path("/").glob(_DEBIAN_GLOB.lstrip("/")) if _has_server_tools(p)]
    if debian:
        return max(debian, key=_version_key)
    pg_config = shutil.which("pg_config")
    if pg_config:
        result = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, check=False
        )
        bindir = Path(result.stdout.strip())
        if result.returncode == 0 and _has_server_tools(bindir):
            return bindir
    initdb = shutil.which("initdb")
    if initdb and _has_server_tools(Path(initdb).parent):
        return Path(initdb).parent
    return None


def _free_port() -> int:
    # The OS picks a free port; there is a small window before postgres binds it, which the
    # retry loop in `_start_server` covers.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _PgCommands:
    """Runs server commands as the right user: initdb refuses to run as root."""

    def __init__(self, bindir: Path, workdir: Path) -> None:
        self.bindir = bindir
        self.workdir = workdir
        self.as_root = os.geteuid() == 0

    def run(self, tool: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        argv = [str(self.bindir / tool), *args]
        if self.as_root:
            argv = ["runuser", "-u", _PG_USER, "--", *argv]
        # cwd=workdir: the postgres user may not be allowed into the caller's directory.
        return subprocess.run(
            argv,
            cwd=self.workdir,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def _describe_failure(step: str, result: subprocess.CompletedProcess[str], log: Path) -> str:
    server_log = log.read_text(errors="replace")[-4000:] if log.exists() else "(no server log)"
    return (
        f"PostgreSQL {step} failed (exit {result.returncode}).\n"
        f"stdout: {result.stdout.strip()}\nstderr: {result.stderr.strip()}\n"
        f"server log:\n{server_log}"
    )


def _start_server(pg: _PgCommands, datadir: Path, log: Path) -> int:
    """Start the server on a free loopback port and return that port."""
    last_error = ""
    for _ in range(_START_ATTEMPTS):
        port = _free_port()
        # fsync/synchronous_commit/full_page_writes off: throwaway data, and durability costs
        # seconds per test run. The socket goes in our own folder, not /var/run/postgresql.
        options = (
            f"-p {port} -k {pg.workdir} -c listen_addresses=127.0.0.1 -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off"
        )
        result = pg.run(
            "pg_ctl", "-D", str(datadir), "-l", str(log), "-w", "-t", "60", "start", "-o", options
        )
        if result.returncode == 0:
            return port
        last_error = _describe_failure("start", result, log)
        # Only a lost race for the port is worth another try; anything else is final.
        if "already in use" not in last_error and "could not bind" not in last_error:
            break
    raise RuntimeError(last_error)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A real PostgreSQL server for this test session; yields its base SQLAlchemy URL.

    The URL names the maintenance database `postgres`; use `db_url` for a private database.
    """
    bindir = find_postgres_bindir()
    require_or_skip(
        bindir is not None,
        "PostgreSQL server binaries (initdb, pg_ctl) not found; install the `postgresql` package",
    )
    assert bindir is not None  # for the type checker: require_or_skip did not return otherwise
    as_root = os.geteuid() == 0
    if as_root:
        try:
            pg_user = pwd.getpwnam(_PG_USER)
        except KeyError:
            pg_user = None
        require_or_skip(
            pg_user is not None and shutil.which("runuser") is not None,
            "running as root needs the `postgres` user and runuser to start PostgreSQL",
        )

    # A short path under /tmp: the socket path must stay under ~100 bytes, and a long $TMPDIR
    # (macOS) would overflow it.
    workdir = Path(tempfile.mkdtemp(prefix="pa-pg-", dir="/tmp" if Path("/tmp").is_dir() else None))
    if as_root:
        os.chown(workdir, pg_user.pw_uid, pg_user.pw_gid)
    datadir = workdir / "data"
    log = workdir / "server.log"
    pg = _PgCommands(bindir, workdir)
    started = False
    try:
        # --no-locale: C collation works on every system with any encoding and sorts the same
        # everywhere, so tests do not depend on the machine's locales.
        result = pg.run(
            "initdb", "-D", str(datadir), "-A", "trust", "-U", _PG_USER, "--no-sync",
            "-E", "UTF8", "--no-locale",
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(_describe_failure("initdb", result, log))
        port = _start_server(pg, datadir, log)
        started = True
        yield f"postgresql+psycopg://{_PG_USER}@127.0.0.1:{port}/postgres"
    finally:
        if started:
            stop = pg.run("pg_ctl", "-D", str(datadir), "-m", "fast", "-w", "stop", timeout=60)
            if stop.returncode != 0:
                print(_describe_failure("stop", stop, log))
        shutil.rmtree(workdir, ignore_errors=True)


def _admin_engine(server_url: str) -> Engine:
    # CREATE/DROP DATABASE cannot run inside a transaction; NullPool so that nothing lingers.
    return create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)


def _database_url(server_url: str, name: str) -> str:
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def _build_schema(url: str) -> None:
    """The application schema, made by core's own migrations (never a copy of it here)."""
    # Imported here, not at module level: a broken core must fail the tests that use it, not
    # the collection of every integration test.
    from core.db import create_db_engine
    from core.migrations import migrate

    engine = create_db_engine(url)
    try:
        migrate(engine)
    finally:
        # Closes every pooled connection: a template must have none open while it is cloned.
        engine.dispose()


# Whether a test gets the schema is decided by what it asks for: `db_engine` (directly or through
# another fixture) means "a database with the schema", `db_url` alone means "an empty database".
_SCHEMA_FIXTURE = "db_engine"


@pytest.fixture(scope="session")
def postgres_schema_template(postgres_server: str) -> str:
    """The name of a PostgreSQL database holding the app schema; tests get clones of it.

    Built once per session by core's migrations, so a model change reaches every test, and
    cloning it (`CREATE DATABASE ... TEMPLATE`) costs a fraction of `create_all` per test.
    """
    name = "pa_schema_template"
    admin = _admin_engine(postgres_server)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        _build_schema(_database_url(postgres_server, name))
        # CREATE DATABASE ... TEMPLATE fails while anyone is connected to the template, so
        # after this nobody can connect to it by mistake (it is cloned, never used directly).
        with admin.connect() as conn:
            conn.execute(
                text(f'ALTER DATABASE "{name}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false')
            )
    finally:
        admin.dispose()
    # Not dropped at the end: it goes with the session's server and its data folder.
    return name


@pytest.fixture(scope="session")
def sqlite_schema_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file holding the app schema, made once per session by core's migrations."""
    path = tmp_path_factory.mktemp("sqlite-schema") / "template.sqlite"
    _build_schema(f"sqlite:///{path}")
    return path


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def db_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A SQLAlchemy URL of a database of the parametrised kind, private to one test.

    Empty, unless the test also uses `db_engine`: then it is a copy of a session-wide template
    that core's migrations built, so both fixtures name the same ready database.
    """
    with_schema = _SCHEMA_FIXTURE in request.fixturenames
    if request.param == "sqlite":
        url: str = request.getfixturevalue("tmp_sqlite_url")
        if with_schema:
            template: Path = request.getfixturevalue("sqlite_schema_template")
            copy_sqlite_database(template, Path(make_url(url).database or ""))
        yield url
        return

    # Looked up lazily so that `-m "not postgres"` never starts a server.
    server_url: str = request.getfixturevalue("postgres_server")
    clone = ""
    if with_schema:
        clone = f' TEMPLATE "{request.getfixturevalue("postgres_schema_template")}"'
    name = f"t_{uuid.uuid4().hex}"
    admin = _admin_engine(server_url)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"{clone}'))
        yield _database_url(server_url, name)
    finally:
        # FORCE: a test that leaked a connection must not leave the database behind.
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def db_engine(db_url: str) -> Iterator[Engine]:
    """An engine on `db_url`, whose schema core's migrations made (in the session's template)."""
    from core.db import create_db_engine

    engine = create_db_engine(db_url)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Still argon2id, with test-sized cost: integration tests are about permissions and data,
    not hashing (tests/unit/test_accounts.py checks the real parameters)."""
    from argon2 import PasswordHasher

    monkeypatch.setattr(
        "core.accounts.passwords._hasher",
        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
    )
