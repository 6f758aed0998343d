"""The Core ``Table`` behind a SQLModel table model, typed.

SQLModel sets ``__table__`` on every ``table=True`` class at run time but does not declare it,
so bulk inserts and deletes that work on tables ask SQLAlchemy's mapper instead.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult, Table, inspect
from sqlmodel import SQLModel


def table_of(model: type[SQLModel]) -> Table:
    """The table ``model`` is mapped to (the same object as ``model.__table__``)."""
    table = inspect(model).local_table
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not mapped to a single table")
    return table


def rows_changed(result: Any) -> int:
    """How many rows an INSERT, UPDATE or DELETE touched. ``Session.execute`` is typed as a
    plain ``Result``; for those statements it is always a ``CursorResult``."""
    if not isinstance(result, CursorResult):
        raise TypeError(f"not the result of a data-changing statement: {type(result).__name__}")
    return int(result.rowcount)
