"""Datetimes go in aware and come back aware UTC, on SQLite and PostgreSQL alike; naive
datetimes are refused rather than guessed at."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import StatementError
from sqlmodel import Session, select

from core.db import session_scope
from core.models import Account, AuditEvent

AUSTIN = timezone(timedelta(hours=-6))


def event_at(at: datetime, action: str = "test") -> AuditEvent:
    return AuditEvent(
        at=at, actor_label="test", entity_type="partner", entity_id="1", action=action
    )


def test_an_aware_datetime_comes_back_as_the_same_instant_in_utc(db_engine: Engine) -> None:
    written = datetime(2026, 3, 1, 14, 30, 15, 123456, tzinfo=AUSTIN)
    with session_scope(db_engine) as session:
        session.add(event_at(written))
    with Session(db_engine) as session:
        (event,) = session.exec(select(AuditEvent)).all()
    assert event.at == written
    assert event.at.tzinfo is UTC
    assert (event.at.hour, event.at.microsecond) == (20, 123456)


def test_nullable_and_default_datetimes_come_back_aware(db_engine: Engine) -> None:
    # A bare Session: this is about the column type, not the unit of work's audit rule.
    with Session(db_engine) as session:
        session.add(Account(username="ada", password_hash="x", role="admin"))
        session.commit()
    with Session(db_engine) as session:
        account = session.exec(select(Account)).one()
    assert account.created_at.tzinfo is UTC and account.password_changed_at.tzinfo is UTC
    assert account.locked_until is None and account.last_sign_in_at is None


def test_comparisons_with_an_aware_bound_use_the_instant(db_engine: Engine) -> None:
    noon_utc = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    with session_scope(db_engine) as session:
        session.add(event_at(noon_utc - timedelta(minutes=1), "before"))
        session.add(event_at(noon_utc + timedelta(minutes=1), "after"))
    since = noon_utc.astimezone(AUSTIN)  # 06:00 in Austin: the same instant
    with Session(db_engine) as session:
        actions = session.exec(select(AuditEvent.action).where(AuditEvent.at >= since)).all()
    assert actions == ["after"]


def test_a_naive_datetime_is_refused_not_guessed(db_engine: Engine) -> None:
    with pytest.raises(StatementError, match="timezone"), session_scope(db_engine) as session:
        session.add(event_at(datetime(2026, 3, 1, 14, 30)))  # raises when the scope commits
    with Session(db_engine) as session:
        assert session.exec(select(AuditEvent)).all() == []
