"""Engine creation, the data-version counter and the scope of every write.

One engine per process (the UI caches it with st.cache_resource; the CLI creates one);
one Session per operation. SQLite gets WAL, a busy timeout and foreign keys on every
connection, because SQLite leaves foreign keys off by default. Every write runs in
``session_scope``: a unit of work (core.unit_of_work) that bumps the data version and
insists on an audit event by itself. The schema is core.migrations' business (Alembic).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, event, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, create_engine

from core.settings import get_settings
from core.unit_of_work import UnitOfWork

# Re-exported for test fixtures that write rows directly, outside any unit of work.
from core.unit_of_work import bump_data_version as bump_data_version


def create_db_engine(url: str | None = None) -> Engine:
    url = url or get_settings().database_url
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    # Outages (tests/integration/test_database_outage.py): pre-ping tests a pooled connection
    # before each use and, when the server restarted, drops the whole pool and reconnects, so
    # the same engine recovers with no restart of the app. connect_timeout bounds how long a
    # page waits on an unreachable host; pool_timeout how long it waits for a free connection.
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=5,
        pool_timeout=10,
        connect_args={"connect_timeout": get_settings().database_connect_timeout_seconds},
    )


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A unit of work: its Session commits on success and rolls back on any error.

    The commit bumps the data version when directory data changed and is refused
    (``core.unit_of_work.UnauditedChange``, nothing written) when an audited table changed
    without an audit event.
    """
    with UnitOfWork(engine) as unit:
        yield unit.session
        unit.commit()


def read_data_version(session: Session) -> int:
    value = session.execute(text("SELECT version FROM data_version WHERE id = 1")).scalar()
    return int(value or 0)


def is_directory_empty(session: Session) -> bool:
    return session.execute(text("SELECT 1 FROM partner LIMIT 1")).first() is None


@contextmanager
def savepoint(session: Session) -> Iterator[None]:
    """A SAVEPOINT inside the session's transaction: an error inside rolls back only what the
    block did, and the transaction (and its unit of work) goes on.

    pysqlite opens its transaction only at the first INSERT/UPDATE/DELETE, so a SAVEPOINT
    before any of them would be the outermost one, and releasing it would COMMIT at once,
    outside the unit of work. On SQLite the transaction is therefore begun first.
    """
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        driver = connection.connection.dbapi_connection
        if driver is not None and not driver.in_transaction:
            connection.exec_driver_sql("BEGIN")
    with session.begin_nested():
        yield
