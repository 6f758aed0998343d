"""AppTest fixtures: the app on a seeded demo directory, signed in as any role.

- `seeded_template` (session): a SQLite file with 200 demo partners and the demo accounts.
- `atlas_db` (function): a private copy of it, with DATABASE_URL pointing there and every
  Streamlit and settings cache cleared, so `get_engine()` inside the app opens this copy.
- `shared_atlas_db` (module): the same for read-only tests, set up once per module.
- `open_app(page, as_=...)`: app.py, signed in as a role, switched to a page by navigation.
- `open_deep_link(page, as_=...)`: the page file run on its own, as a first deep link on a
  fresh server runs it (pages-folder mode, app.py skipped).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import Engine
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from core.db import create_db_engine
from core.migrations import migrate
from core.models import Account, AccountPublic, utc_now
from core.settings import get_settings
from tests.conftest import REPO_ROOT

TIMEOUT_S = 60
DEMO_PARTNERS = 200
SESSION_KEY = "auth"  # pages.SESSION_KEY
ROLES = ("anonymous", "partner_a", "partner_b", "vendor", "admin")
DEMO_USERNAMES = {
    "partner_a": "partner1",
    "partner_b": "partner2",
    "vendor": "cisco",
    "admin": "admin",
}
_STUB = """\
import runpy, sys
sys.path.insert(0, {root!r})
runpy.run_path({page!r}, run_name="__main__")
"""


@dataclass
class AtlasDb:
    url: str
    engine: Engine
    accounts: dict[str, AccountPublic]  # role name -> demo account
    stub_dir: Path

    @property
    def partner_a(self) -> int:
        return int(self.accounts["partner_a"].partner_id or 0)

    @property
    def partner_b(self) -> int:
        return int(self.accounts["partner_b"].partner_id or 0)


def clear_caches() -> None:
    get_settings.cache_clear()
    st.cache_resource.clear()
    st.cache_data.clear()


def _copy(source: Path, target: Path) -> None:
    # The backup API copies a consistent snapshot, WAL contents included.
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from core.demo.accounts import create_demo_accounts
    from core.demo.generator import seed_demo_directory

    path = tmp_path_factory.mktemp("app-db") / "template.sqlite"
    engine = create_db_engine(f"sqlite:///{path}")
    try:
        migrate(engine)  # as `make run` does before it seeds
        seed_demo_directory(engine=engine, partners=DEMO_PARTNERS, seed=42)
        create_demo_accounts(engine=engine)
    finally:
        engine.dispose()
    return path


def _open_db(template: Path, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> AtlasDb:
    database = workdir / "app.sqlite"
    _copy(template, database)
    url = f"sqlite:///{database}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("ATLAS_DEMO_PARTNERS", str(DEMO_PARTNERS))
    clear_caches()
    engine = create_db_engine(url)
    with Session(engine) as session:
        rows = {
            row.username: AccountPublic.model_validate(row, from_attributes=True)
            for row in session.exec(select(Account))
        }
    stub_dir = workdir / "stub"
    stub_dir.mkdir()
    # A `pages` folder beside the entry script: Streamlit's pages-folder mode, as in the app.
    (stub_dir / "pages").symlink_to(REPO_ROOT / "pages", target_is_directory=True)
    return AtlasDb(
        url=url,
        engine=engine,
        accounts={role: rows[name] for role, name in DEMO_USERNAMES.items()},
        stub_dir=stub_dir,
    )


@pytest.fixture
def atlas_db(
    seeded_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[AtlasDb]:
    db = _open_db(seeded_template, tmp_path, monkeypatch)
    try:
        yield db
    finally:
        db.engine.dispose()
        clear_caches()


@pytest.fixture(scope="module")
def shared_atlas_db(
    seeded_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AtlasDb]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        db = _open_db(seeded_template, tmp_path_factory.mktemp("shared-app"), monkeypatch)
        try:
            yield db
        finally:
            db.engine.dispose()
            clear_caches()


def sign_in(at: AppTest, account: AccountPublic | None, engine: Engine | None = None) -> None:
    """A server-side session for ``account`` (as a password sign-in opens one), put into
    session state exactly as pages.remember_sign_in does."""
    if account is None:
        return
    from core.accounts.sessions import open_session
    from core.db import session_scope

    assert engine is not None, "a signed-in AppTest needs the database for its session"
    with session_scope(engine) as session:
        session_id, _code = open_session(
            session=session, account_id=account.id, address_key=None, now=utc_now(), via="test"
        )
    at.session_state[SESSION_KEY] = {"session_id": session_id}


def open_app(db: AtlasDb, page: str | None = None, as_: str = "anonymous") -> AppTest:
    """app.py signed in as ``as_``, then ``pages/<page>`` chosen through the navigation."""
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=TIMEOUT_S)
    sign_in(at, db.accounts.get(as_), db.engine)
    at.run()
    if page is not None:
        at.switch_page(f"pages/{page}").run()
    return at


def open_deep_link(db: AtlasDb, page: str, as_: str = "anonymous") -> AppTest:
    """``pages/<page>`` run on its own, the way a first deep link on a fresh server runs it."""
    stub = db.stub_dir / f"deep_link_{page}"
    if not stub.exists():
        stub.write_text(
            _STUB.format(root=str(REPO_ROOT), page=str(REPO_ROOT / "pages" / page)),
            encoding="utf-8",
        )
    at = AppTest.from_file(str(stub), default_timeout=TIMEOUT_S)
    sign_in(at, db.accounts.get(as_), db.engine)
    return at.run()


def page_text(at: AppTest) -> str:
    """Everything the page shows as text, for 'does it show …' checks."""
    parts: list[str] = []
    for kind in (
        "title", "header", "subheader", "markdown", "caption", "text", "code", "error",
        "warning", "info", "success", "exception",
    ):  # fmt: skip
        parts.extend(str(el.value) for el in getattr(at, kind))
    for kind in ("text_input", "text_area"):
        parts.extend(str(el.value) for el in getattr(at, kind))
    for frame in at.dataframe:
        parts.append(frame.value.to_csv(index=False))
    return "\n".join(parts)


def assert_no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def all_page_files() -> list[str]:
    return sorted(p.name for p in (REPO_ROOT / "pages").glob("*.py") if p.name != "__init__.py")
