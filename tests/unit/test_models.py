"""core.models: every datetime column stores aware UTC."""

from __future__ import annotations

from sqlalchemy import DateTime
from sqlmodel import SQLModel, UTCDateTime

from core import models as m


def test_every_datetime_column_stores_aware_utc() -> None:
    """SQLModel's UTCDateTime is the one place datetimes are stored: a column given its own
    DateTime type would bypass it and hand back naive values on SQLite."""
    types = {
        f"{table.name}.{column.name}": column.type
        for table in SQLModel.metadata.sorted_tables
        for column in table.columns
        if isinstance(getattr(column.type, "impl", column.type), DateTime)
    }
    assert len(types) >= 15 and "partner.updated_at" in types and "audit_event.at" in types
    assert [name for name, kind in types.items() if not isinstance(kind, UTCDateTime)] == []


def test_utc_now_is_aware() -> None:
    assert m.utc_now().utcoffset() is not None
