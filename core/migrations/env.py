"""Alembic's environment: run by alembic itself (core.migrations passes the connection).

Never run offline (no SQL scripts): every migration runs on a live connection, which
core.migrations opens, so SQLite's foreign keys can be switched off around batch mode.
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

from core import models  # noqa: F401  (registers every table on SQLModel.metadata)
from core.migrations import include_object


def render_item(kind: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Write SQLModel's column types as the plain SQLAlchemy types they store.

    A revision is frozen history: it must not import application code (sqlmodel's
    AutoString/UTCDateTime are Python-side wrappers; the database sees String/DateTime).
    """
    if kind == "type" and isinstance(obj, AutoString):
        length = getattr(obj.impl, "length", None)
        return f"sa.String(length={length})" if length else "sa.String()"
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False  # alembic's default rendering


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None or context.is_offline_mode():
        raise RuntimeError("run migrations with `python -m core migrate`")
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        # SQLite can alter little in place: batch mode copies the table instead.
        render_as_batch=True,
        compare_type=True,
        render_item=render_item,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
