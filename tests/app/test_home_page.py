"""Home page (AppTest): what the directory is, a quick-start search, figures, next steps."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel
from streamlit.testing.v1 import AppTest

from core.db import create_db_engine
from core.migrations import migrate
from tests.app.conftest import TIMEOUT_S, clear_caches
from tests.app.public_pages import (
    assert_no_exception,
    links,
    open_page,
    texts,
)
from tests.conftest import REPO_ROOT
from tests.public_directory import FILLERS

# The sample directory and the app pointed at it (fixtures public_app, sample_engine).
pytest_plugins = ["tests.app.public_fixtures"]
PAGE = "home.py"


def test_home_says_what_the_directory_is_and_shows_its_figures(public_app):
    at = open_page(PAGE)
    assert_no_exception(at)
    page = texts(at)
    for promise in ("vendor-neutral", "Evidence, not just claims", "No paid placement"):
        assert promise in page
    figures = {m.label: m.value for m in at.metric}
    assert figures["Partners listed"] == str(len(public_app) + FILLERS)
    assert int(figures["Certifications mapped"]) > 100
    assert figures["Areas compared"] == "17"


def test_home_links_to_search_team_builder_and_map(public_app):
    targets = {target for target, _label in links(open_page(PAGE))}
    assert {"find", "teams", "map"} <= targets


def test_quick_start_opens_find_partners_with_the_search_in_the_url(public_app):
    at = open_page(PAGE)
    at.multiselect[0].select("security").select("financing")
    at.text_input[0].input("78701")
    at.button[0].click().run()
    assert_no_exception(at)
    assert at.query_params["needs"] == "security,financing"
    assert at.query_params["near"] == "78701"
    assert any("match" in s.value for s in at.subheader)
    assert at.checkbox(key="find_need_financing").value is True


def test_quick_start_with_an_unknown_zip_explains_and_stays_on_home(public_app):
    at = open_page(PAGE)
    at.text_input[0].input("00000")
    at.button[0].click().run()
    assert any("00000" in e.value for e in at.error)
    assert at.metric  # still the home page


@pytest.mark.parametrize("state", ["empty", "previous_release", "ahead"])
def test_app_on_a_database_not_at_this_release_says_to_run_migrate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, state: str
) -> None:
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    engine = create_db_engine(url)
    if state == "previous_release":  # what the release before migrations made: create_all
        SQLModel.metadata.create_all(engine)
    if state == "ahead":  # migrated by a newer release
        migrate(engine)
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("ATLAS_DEMO_PARTNERS", "0")
    clear_caches()
    try:
        at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=TIMEOUT_S).run()
        assert_no_exception(at)  # a plain message, no traceback
        errors = [str(e.value) for e in at.error]
        assert len(errors) == 1 and "python -m core migrate" in errors[0], errors
        assert not at.metric  # it stopped before reading anything

        if state == "empty":  # once migrated, the next run goes on (the refusal is not cached)
            migrate(engine)
            at.run()
            assert_no_exception(at)
            assert not at.error
    finally:
        engine.dispose()
        clear_caches()
