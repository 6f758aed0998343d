"""Demand recording is rate-limited per visitor key, counted in the database."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from core.analytics.demand import (
    DEMAND_WINDOW,
    demand_visitor_key,
    forget_old_demand_attempts,
    record_demand,
)
from core.db import session_scope
from core.models import DemandAttempt, SearchEvent, utc_now
from core.search.query import SearchQuery


def _events(engine) -> int:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(SearchEvent)).one())


def _record(engine, visitor: str, now, need: str = "cloud") -> bool:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        event = record_demand(session=session, query=SearchQuery(needs=[need]), place=None,
                              result_count=0, visitor=visitor, limit=3, now=now)  # fmt: skip
        return event is not None


def test_one_address_records_at_most_the_limit_per_hour(db_engine) -> None:
    now = utc_now()
    bot = demand_visitor_key(address="203.0.113.9", session_id="a")
    same_bot_new_session = demand_visitor_key(address="203.0.113.9", session_id="b")
    assert bot == same_bot_new_session
    kept = [_record(db_engine, bot, now, need) for need in ("cloud", "security", "iot", "hardware")]
    assert kept == [True, True, True, False] and _events(db_engine) == 3
    other = demand_visitor_key(address="198.51.100.1", session_id="c")
    assert _record(db_engine, other, now)
    assert _record(db_engine, bot, now + DEMAND_WINDOW + timedelta(seconds=1))  # an hour later
    assert _events(db_engine) == 5
    with Session(db_engine) as session:  # only hashed keys: no address stored
        keys = session.exec(select(DemandAttempt.visitor_key)).all()
    assert all("203.0" not in key for key in keys)


def test_the_worker_forgets_demand_attempts_older_than_a_day(db_engine) -> None:
    now = utc_now()
    visitor = demand_visitor_key(address="203.0.113.10", session_id="a")
    assert _record(db_engine, visitor, now - timedelta(hours=25), "cloud")
    assert _record(db_engine, visitor, now - timedelta(hours=23), "security")
    assert forget_old_demand_attempts(db_engine, now) == 1
    with Session(db_engine) as session:
        left = session.exec(select(func.count()).select_from(DemandAttempt)).one()
    assert left == 1 and _events(db_engine) == 2  # the demand itself is kept
