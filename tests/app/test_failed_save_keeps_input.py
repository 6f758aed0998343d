"""A save that fails keeps what the visitor typed (AppTest): the profile editor, saved while
the database is down, still holds the typed values when the visitor goes on."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError
from streamlit.testing.v1 import AppTest

import pages
from tests.app.conftest import TIMEOUT_S, AtlasDb, page_text, sign_in
from tests.app.widgets import click, widget
from tests.conftest import REPO_ROOT

# The page behind st.navigation inside the app's error guard, as app.py runs every page
# (AppTest's switch_page would run the page file on its own, outside app.py).
_STUB = """
import streamlit as st
from pages.parts.errors import plain_errors
with plain_errors("test"):
    st.navigation([st.Page({page!r})], position="hidden").run()
"""


def _open_guarded(db: AtlasDb, page: str, as_: str) -> AppTest:
    stub = db.stub_dir / f"guarded_{page}"
    stub.write_text(_STUB.format(page=str(REPO_ROOT / "pages" / page)), encoding="utf-8")
    at = AppTest.from_file(str(stub), default_timeout=TIMEOUT_S)
    sign_in(at, db.accounts.get(as_), db.engine)
    return at.run()


TYPED = "We run networks for small offices — typed during an outage."


def _database_down() -> None:
    raise OperationalError("SELECT 1", {}, ConnectionRefusedError("db.internal:5432 refused"))


def test_a_profile_edit_typed_during_an_outage_is_still_there_afterwards(
    atlas_db: AtlasDb, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _open_guarded(atlas_db, "my_profile.py", as_="partner_a")
    widget(at, "text_area", "Description").input(TYPED)
    widget(at, "text_input", "Website").input("https://example.org/typed")
    with monkeypatch.context() as outage:
        outage.setattr(pages, "get_engine", _database_down)
        at = click(at, "Save profile")
        shown = page_text(at)
        assert "nothing was saved" in shown and "db.internal" not in shown
    at.run()  # the database is back: the visitor's next action
    assert widget(at, "text_area", "Description").value == TYPED
    assert widget(at, "text_input", "Website").value == "https://example.org/typed"
