"""The database fixtures themselves: a real server, and a private empty database per test."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect, make_url, text
from sqlalchemy.pool import NullPool

# URLs handed out so far in this session, per back end: the next test must get a new one.
_seen_urls: dict[str, list[str]] = {"sqlite": [], "postgresql": []}


@pytest.mark.postgres
def test_server_is_real_postgresql(postgres_server: str) -> None:
    engine = create_engine(postgres_server, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            version = conn.execute(text("select version()")).scalar_one()
    finally:
        engine.dispose()
    assert "PostgreSQL" in version


def _check_fresh_and_dirty_it(db_url: str) -> None:
    """Assert the database is new and empty, then leave a table behind in it."""
    backend = make_url(db_url).get_backend_name()
    assert db_url not in _seen_urls[backend], "two tests were given the same database"

    engine = create_engine(db_url, poolclass=NullPool)
    try:
        assert inspect(engine).get_table_names() == [], "a new test database is not empty"
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE leftover (id INTEGER PRIMARY KEY)"))
            conn.execute(text("INSERT INTO leftover (id) VALUES (1)"))
        if backend == "postgresql":
            # The databases of earlier tests must have been dropped at their teardown.
            earlier = [make_url(url).database for url in _seen_urls[backend]]
            with engine.connect() as conn:
                existing = set(conn.execute(text("SELECT datname FROM pg_database")).scalars())
            assert not existing.intersection(earlier), "an earlier test database was not dropped"
    finally:
        engine.dispose()
    _seen_urls[backend].append(db_url)


# Two separate tests on purpose: whichever runs second must not see the first one's table.
def test_first_test_gets_a_fresh_empty_database(db_url: str) -> None:
    _check_fresh_and_dirty_it(db_url)


def test_second_test_gets_another_fresh_empty_database(db_url: str) -> None:
    _check_fresh_and_dirty_it(db_url)
