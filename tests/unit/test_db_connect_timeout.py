"""PostgreSQL connections give up after ATLAS_DATABASE_CONNECT_TIMEOUT_SECONDS: a host that
vanished (packets dropped, nothing refused) must not hang every page run."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from core.db import create_db_engine
from core.errors import is_database_unavailable
from core.settings import get_settings

REFUSED = "postgresql+psycopg://atlas@127.0.0.1:9/atlas"  # nothing listens on port 9


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _connect_parameters() -> dict[str, Any]:
    engine = create_db_engine(REFUSED)
    seen: dict[str, Any] = {}

    @event.listens_for(engine, "do_connect")
    def _capture(_dialect, _record, _cargs, cparams) -> None:  # type: ignore[no-untyped-def]
        seen.update(cparams)

    try:
        with pytest.raises(OperationalError) as refused:
            engine.connect()
        assert is_database_unavailable(refused.value)
    finally:
        engine.dispose()
    return seen


@pytest.mark.parametrize(("setting", "expected"), [(None, 5), ("2", 2)])
def test_postgres_connections_carry_the_connect_timeout_setting(
    fresh_settings: None, monkeypatch: pytest.MonkeyPatch, setting: str | None, expected: int
) -> None:
    if setting is None:
        monkeypatch.delenv("ATLAS_DATABASE_CONNECT_TIMEOUT_SECONDS", raising=False)
    else:
        monkeypatch.setenv("ATLAS_DATABASE_CONNECT_TIMEOUT_SECONDS", setting)
    assert _connect_parameters()["connect_timeout"] == expected
