"""The first-deep-link workaround (pages/parts/routing.py) reads Streamlit's internal flag
defensively: when a future Streamlit moves or changes it, pages still run and check access."""

from __future__ import annotations

import logging

import pytest
from streamlit.runtime.pages_manager import PagesManager

from pages.parts import routing
from tests.app.conftest import AtlasDb, assert_no_exception, open_deep_link, page_text

SIGN_IN_PROMPT = "Please sign in to continue"


class FlagGone:
    """A PagesManager of a future Streamlit, without ``uses_pages_directory``."""


class FlagChanged:
    uses_pages_directory = "yes"


@pytest.fixture(autouse=True)
def fresh_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(routing, "_warned", set())


def test_the_flag_is_read_from_streamlit_as_it_is_today() -> None:
    assert routing._PagesManager is PagesManager
    assert hasattr(PagesManager, routing.FLAG)


@pytest.mark.parametrize("manager", [None, FlagGone, FlagChanged])
def test_without_a_usable_flag_it_logs_once_and_does_nothing(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, manager: object
) -> None:
    monkeypatch.setattr(routing, "_PagesManager", manager)
    with caplog.at_level(logging.WARNING, logger=routing.__name__):
        assert routing.legacy_pages_mode() is None
        routing.leave_legacy_pages_mode()  # no rerun, no exception
        routing.leave_legacy_pages_mode()
    warnings = [r for r in caplog.records if r.name == routing.__name__]
    assert len(warnings) == 1
    assert "legacy pages-folder mode" in warnings[0].getMessage()


def test_a_restricted_page_still_refuses_an_anonymous_deep_link_without_the_flag(
    atlas_db: AtlasDb, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(routing, "_PagesManager", FlagGone)
    at = open_deep_link(atlas_db, "admin_accounts.py")
    assert_no_exception(at)
    text = page_text(at)
    assert SIGN_IN_PROMPT in text
    assert "partner1" not in text and not at.dataframe


def test_a_run_in_legacy_mode_switches_it_off(atlas_db: AtlasDb) -> None:
    """AppTest, like a fresh server, starts every run in legacy mode (a pages/ folder beside
    the script); the page's set-up switches it off, as app.py's st.navigation would."""
    at = open_deep_link(atlas_db, "home.py")
    assert_no_exception(at)
    assert PagesManager.uses_pages_directory is False
    assert routing.legacy_pages_mode() is False
