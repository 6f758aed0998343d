"""Unexpected errors on any page (AppTest): a plain message with a reference, the traceback
in the server log only, and a database outage without its host or port."""

from __future__ import annotations

import logging
import re

import pytest
from streamlit.testing.v1 import AppTest

import core.taxonomy
from tests.app.conftest import clear_caches
from tests.app.public_pages import TIMEOUT_S, texts
from tests.conftest import REPO_ROOT

pytest_plugins = ["tests.app.public_fixtures"]
REFERENCE = re.compile(r"reference ([0-9a-f]{8})")


def _open_home() -> AppTest:
    """app.py, as the server runs it for every page: st.navigation, then the page (Home)."""
    return AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=TIMEOUT_S).run()


def _boom(*_args: object, **_kwargs: object) -> None:
    raise RuntimeError("secret detail in /srv/atlas/core/taxonomy.py line 12")


def test_a_page_that_raises_shows_a_plain_message_and_logs_the_traceback(
    public_app, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _open_home()  # every module imported first, so none binds the broken function for good
    monkeypatch.setattr(core.taxonomy, "get_taxonomy", _boom)  # the home page's first read
    with caplog.at_level(logging.ERROR, logger="partner_atlas.errors"):
        at = _open_home()
    assert not at.exception  # Streamlit's own error box (with the traceback) never shows
    shown = texts(at)
    found = REFERENCE.search(shown)
    assert found and "Something went wrong" in shown
    assert "secret" not in shown and ".py" not in shown and "Traceback" not in shown
    logged = [r for r in caplog.records if found.group(1) in r.getMessage()]
    assert logged and logged[0].exc_info and "secret detail" in str(logged[0].exc_info[1])


def test_a_database_outage_says_unavailable_without_host_or_port(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Nothing listens on port 9 of this host: every connection is refused.
    monkeypatch.setenv("DATABASE_URL", "postgresql://atlas:pw@127.0.0.1:9/atlas")
    clear_caches()
    try:
        at = _open_home()
    finally:
        clear_caches()
    assert not at.exception
    shown = texts(at)
    assert "temporarily unavailable, so nothing was saved" in shown and REFERENCE.search(shown)
    assert "127.0.0.1" not in shown and ":9" not in shown and "OperationalError" not in shown


def test_streamlit_error_details_are_off_in_the_project_config() -> None:
    import tomllib

    config = tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"  # a value Streamlit 1.67 accepts
