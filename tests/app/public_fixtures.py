"""Fixtures for the public-page AppTests (load with ``pytest_plugins``, never import).

The sample directory is built once per test module; every test points the app at it with
demo seeding off, so the pages see exactly the hand-made partners.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import streamlit as st
from sqlalchemy import Engine

from core.db import create_db_engine
from core.settings import get_settings
from tests.public_directory import make_directory_database


def _clear_caches() -> None:
    get_settings.cache_clear()
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture(scope="module")
def sample_directory_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, int]]:
    return make_directory_database(tmp_path_factory.mktemp("public-directory"))


@pytest.fixture
def sample_engine(sample_directory_db: tuple[str, dict[str, int]]) -> Iterator[Engine]:
    engine = create_db_engine(sample_directory_db[0])
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def public_app(
    sample_directory_db: tuple[str, dict[str, int]], monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, int]]:
    """The app on the sample directory; yields the partner ids by nickname."""
    url, ids = sample_directory_db
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("ATLAS_DEMO_PARTNERS", "0")
    _clear_caches()
    try:
        yield ids
    finally:
        _clear_caches()
