"""The deployment path (AppTest): demo mode off by default, an empty directory stays empty,
and a published demo password stops the app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from core.accounts.records import create_account
from core.db import create_db_engine, session_scope
from core.demo.accounts import DEMO_ADMIN
from core.migrations import migrate
from core.models import ROLE_ADMIN, AccountPublic
from tests.app.conftest import TIMEOUT_S, clear_caches, page_text, sign_in
from tests.conftest import REPO_ROOT


@pytest.fixture
def deployed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """A fresh database, no demo variables at all: the app started the deployment way."""
    url = f"sqlite:///{tmp_path / 'deployed.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    for name in ("ATLAS_DEMO", "ATLAS_DEMO_PARTNERS", "ATLAS_DEMO_SEED"):
        monkeypatch.delenv(name, raising=False)
    engine = create_db_engine(url)
    migrate(engine)
    clear_caches()
    try:
        yield engine
    finally:
        engine.dispose()
        clear_caches()


def _account(engine: Engine, username: str, password: str) -> AccountPublic:
    with session_scope(engine) as session:
        return create_account(
            session=session,
            actor=None,
            from_cli=True,
            username=username,
            password=password,
            role=ROLE_ADMIN,
        )


def _home(account: AccountPublic | None = None, engine: Engine | None = None) -> AppTest:
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=TIMEOUT_S)
    sign_in(at, account, engine)
    return at.run()


def test_an_empty_directory_starts_empty_and_tells_the_admin_how_to_import(deployed) -> None:
    admin = _account(deployed, "alice", "a long real password 42")
    at = _home(admin, deployed)
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Partners listed"] == "0"
    text = page_text(at)
    assert "Import & export" in text and "python -m core import" in text


def test_an_anonymous_visitor_of_an_empty_directory_gets_no_import_hint(deployed) -> None:
    at = _home()
    assert {m.label: m.value for m in at.metric}["Partners listed"] == "0"
    assert "python -m core import" not in page_text(at)


def test_the_app_refuses_to_start_with_a_published_demo_password(deployed) -> None:
    _account(deployed, DEMO_ADMIN.username, DEMO_ADMIN.password)
    at = _home()
    assert not at.exception
    assert not at.metric  # stopped before the page
    errors = " ".join(e.value for e in at.error)
    assert "will not start" in errors and "'admin'" in errors and "ATLAS_DEMO" in errors


def test_demo_mode_on_accepts_the_demo_accounts(deployed, monkeypatch) -> None:
    _account(deployed, DEMO_ADMIN.username, DEMO_ADMIN.password)
    monkeypatch.setenv("ATLAS_DEMO", "1")
    monkeypatch.setenv("ATLAS_DEMO_PARTNERS", "0")  # no seeding: only the check matters
    clear_caches()
    at = _home()
    assert not at.error and at.metric
