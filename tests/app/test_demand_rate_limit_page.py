"""Find partners (AppTest): one visitor address cannot inflate the demand log."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

import pages.parts.contact
from core.models import SearchEvent
from tests.app.conftest import clear_caches
from tests.app.public_pages import assert_no_exception, open_page

pytest_plugins = ["tests.app.public_fixtures"]
NEEDS = ["cloud", "security", "networking", "iot", "hardware"]


def test_searches_from_one_address_stop_counting_as_demand_at_the_limit(
    public_app, sample_engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATLAS_DEMAND_EVENTS_PER_HOUR", "3")
    clear_caches()
    monkeypatch.setattr(pages.parts.contact, "visitor_address", lambda: "203.0.113.9")
    with Session(sample_engine) as session:
        before = session.exec(select(func.count()).select_from(SearchEvent)).one()
    for need in NEEDS:  # a fresh browser session each time, as a script would do
        assert_no_exception(open_page("find_partners.py", needs=need, near="78701"))
    with Session(sample_engine) as session:
        after = session.exec(select(func.count()).select_from(SearchEvent)).one()
    assert after - before == 3
