"""Pages while the database is away (AppTest; the real server goes down in
tests/integration/test_database_outage.py and tests/e2e/test_database_outage_browser.py):
search answers from the index and says it may be out of date, a signed-in user is told sign-in
is unavailable and is signed in again afterwards, a save that fails says nothing was saved."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.exc import OperationalError
from streamlit.testing.v1 import AppTest

import pages
import pages.parts.saving
from core.search.index import ReadIndexHolder
from tests.app.conftest import TIMEOUT_S, AtlasDb, open_app, page_text, sign_in
from tests.app.public_pages import open_page, texts
from tests.app.widgets import widget
from tests.conftest import REPO_ROOT

pytest_plugins = ["tests.app.public_fixtures"]
REFERENCE = re.compile(r"reference [0-9a-f]{8}")
TYPED = "Typed while the database was away."
# The page behind st.navigation inside the app's error guard, as app.py runs every page
# (AppTest's switch_page would run the page file on its own, outside app.py).
_GUARDED = """
import streamlit as st
from pages.parts.errors import plain_errors
with plain_errors("test"):
    st.navigation([st.Page({page!r})], position="hidden").run()
"""


def _open_guarded(db: AtlasDb, page: str, as_: str) -> AppTest:
    stub = db.stub_dir / f"outage_{page}"
    stub.write_text(_GUARDED.format(page=str(REPO_ROOT / "pages" / page)), encoding="utf-8")
    at = AppTest.from_file(str(stub), default_timeout=TIMEOUT_S)
    sign_in(at, db.accounts.get(as_), db.engine)
    return at.run()


def _refused(*_args: object, **_kwargs: object) -> None:
    raise OperationalError("SELECT 1", {}, ConnectionRefusedError("db.internal:5432 refused"))


def _sidebar_text(at: AppTest) -> str:
    return "\n".join(str(caption.value) for caption in at.sidebar.caption)


def test_search_answers_from_the_index_and_says_it_may_be_out_of_date(
    public_app, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page("find_partners.py", needs="security", near="78701")  # builds the index
    assert "may be out of date" not in texts(at)
    with monkeypatch.context() as outage:
        outage.setattr(ReadIndexHolder, "current_version", _refused)
        at.run()
        shown = texts(at)
        assert not at.exception
        assert "4 partners match" in shown and "may be out of date" in shown
    at.run()  # the database is back: the notice goes by itself
    assert "4 partners match" in texts(at) and "may be out of date" not in texts(at)


def test_a_signed_in_user_is_told_sign_in_is_unavailable_and_stays_signed_in(
    atlas_db: AtlasDb, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _open_guarded(atlas_db, "my_profile.py", as_="partner_a")
    with monkeypatch.context() as outage:
        outage.setattr(pages, "resolve_session", _refused)
        at.run()
        shown = page_text(at)
        assert not at.exception
        assert "sign-in cannot be checked and nothing was saved" in shown
        assert "Please sign in" not in shown and "db.internal" not in shown
        # app.py's sidebar (a fresh AppTest: a rerun of one loses its sidebar in AppTest)
        sidebar = _sidebar_text(open_app(atlas_db, as_="partner_a"))
        assert "Sign-in is temporarily unavailable" in sidebar and "Signed in as" not in sidebar
    assert "Signed in as partner1" in _sidebar_text(open_app(atlas_db, as_="partner_a"))
    at.run()  # the database is back: signed in again, no "session expired"
    assert "expired" not in page_text(at)
    assert widget(at, "text_area", "Description")  # the editor is back
