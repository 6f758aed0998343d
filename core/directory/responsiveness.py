"""Writes the ``partner_responsiveness`` summary the worker keeps (definition and reading:
core.analytics.responsiveness).

One INSERT … SELECT … ON CONFLICT DO UPDATE per run, entirely in the database: the lead
rows never travel to Python. A row is rewritten only when one of its figures changed, so the
statement's row count says whether anything visible changed; only then is the data version
bumped, so every process rebuilds its search index (which ranks and filters on these
figures) at most once per run, not on every hourly pass. Partners whose leads all left the
12-month window lose their row. ``computed_at`` of every row then moves to the run's time:
the oldest one tells when the last full run was (a single partner's recompute only makes
its own row newer).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, Engine, delete, exists, func, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from core.analytics.responsiveness import (
    LEAD,
    REFRESH_EVERY,
    SUMMARY,
    SUMMARY_COLUMNS,
    counted_leads,
    summary_select,
)
from core.db import session_scope
from core.unit_of_work import mark_directory_changed

# Two workers on one PostgreSQL: the second skips the run instead of waiting (or deadlocking
# on the same rows). Any constant works; this one is the summary's own.
ADVISORY_LOCK_KEY = 1_204_2026


def _upsert(session: Session, now: datetime, partner_id: int | None) -> int:
    dialect = session.get_bind().dialect.name
    figures = summary_select(dialect, now=now, partner_id=partner_id)
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(SUMMARY)
    statement = insert.from_select([*SUMMARY_COLUMNS], figures)
    changed = [
        SUMMARY.c[name].is_distinct_from(statement.excluded[name]) for name in SUMMARY_COLUMNS[1:]
    ]
    values: dict[str, Any] = {name: statement.excluded[name] for name in SUMMARY_COLUMNS[1:]}
    statement = statement.on_conflict_do_update(
        index_elements=[SUMMARY.c.partner_id],
        set_=values | {"computed_at": now},
        where=or_(*changed),
    )
    # Neither driver reports a row count for a statement that starts with WITH (the CTEs
    # come first): the rows written say it instead (RETURNING skips rows left as they were).
    written = session.execute(statement.returning(SUMMARY.c.partner_id)).all()
    return len(written)


def _rowcount(result: Any) -> int:
    return int(result.rowcount) if isinstance(result, CursorResult) else 0


def _drop_gone(session: Session, now: datetime, partner_id: int | None) -> int:
    """Rows of partners without a counted lead any more (all left the window)."""
    has_leads = exists(
        select(LEAD.c.id).where(LEAD.c.partner_id == SUMMARY.c.partner_id, *counted_leads(now))
    )
    statement = delete(SUMMARY).where(~has_leads)
    if partner_id is not None:
        statement = statement.where(SUMMARY.c.partner_id == partner_id)
    return _rowcount(session.execute(statement))


def recompute_partner(*, session: Session, partner_id: int, now: datetime) -> bool:
    """Recompute one partner's summary in the caller's unit of work (after a lead of it
    changed, say); True when a figure changed."""
    changed = _upsert(session, now, partner_id) + _drop_gone(session, now, partner_id)
    session.execute(
        update(SUMMARY).where(SUMMARY.c.partner_id == partner_id).values(computed_at=now)
    )
    if changed:
        mark_directory_changed(session, partner_ids=[partner_id])  # one row of the index
    return changed > 0


def recompute_all(*, session: Session, now: datetime) -> int:
    """Recompute every partner's summary; how many rows changed (inserted, updated or
    dropped)."""
    changed = _upsert(session, now, None) + _drop_gone(session, now, None)
    session.execute(update(SUMMARY).values(computed_at=now))
    if changed:
        mark_directory_changed(session)
    return changed


def last_full_run(session: Session) -> datetime | None:
    return session.execute(select(func.min(SUMMARY.c.computed_at))).scalar()


def _is_due(session: Session, now: datetime) -> bool:
    last = last_full_run(session)
    if last is None:
        return True
    if last.tzinfo is None:
        last = last.replace(tzinfo=now.tzinfo)
    return last <= now - REFRESH_EVERY


def _take_run_lock(session: Session) -> bool:
    if session.get_bind().dialect.name != "postgresql":
        return True  # SQLite: one writer at a time anyway
    taken = session.execute(
        text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
    ).scalar()
    return bool(taken)


def refresh_responsiveness(engine: Engine, now: datetime) -> int:
    """The worker's job: recompute every summary when the last full run is an hour old
    (REFRESH_EVERY); rows changed, 0 when not due."""
    with session_scope(engine) as session:
        if not _is_due(session, now) or not _take_run_lock(session):
            return 0
        if not _is_due(session, now):  # another worker finished while we asked for the lock
            return 0
        changed = recompute_all(session=session, now=now)
        session.commit()
    return changed
