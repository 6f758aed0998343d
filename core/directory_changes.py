"""Which partners a directory write changed, as the unit of work records them.

core.unit_of_work notes them from session events and writes them, at the data version the
transaction makes, to ``directory_change``; core.search.deltas reads them to bring each
process's read index up to date without a rebuild. NULL there means "unknown partners".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import text
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BinaryExpression, BindParameter, BooleanClauseList
from sqlmodel import Session


def record_directory_changes(session: Session, partner_ids: Iterable[int] | None) -> None:
    """Note at the current (just bumped) data version which partners changed; None: any."""
    rows = [{"p": None}] if partner_ids is None else [{"p": int(p)} for p in partner_ids]
    if not rows:
        return
    session.execute(
        text(
            "INSERT INTO directory_change (version, partner_id) "
            "SELECT version, :p FROM data_version WHERE id = 1"
        ),
        rows,
    )


def partners_of_rows(table: str, parameters: object) -> set[int] | None:
    """Partners of a Core/ORM insert with parameter rows; None for any other form."""
    rows = parameters if isinstance(parameters, list) else [parameters]
    key = "id" if table == "partner" else "partner_id"
    ids = [row.get(key) if isinstance(row, dict) else None for row in rows]
    if ids and all(isinstance(i, int) for i in ids):
        return {int(i) for i in ids if i is not None}
    return None


def partners_named_in(clause: Any, table: str) -> set[int] | None:
    """The partners an UPDATE/DELETE's WHERE confines it to (``partner_id = 7``, ``id IN
    (...)``, possibly AND-ed with more conditions); None when it names none."""
    key = "id" if table == "partner" else "partner_id"
    if isinstance(clause, BooleanClauseList) and clause.operator is operators.and_:
        for part in clause.clauses:
            named = partners_named_in(part, table)
            if named is not None:
                return named
        return None
    if not isinstance(clause, BinaryExpression) or not isinstance(clause.right, BindParameter):
        return None
    left = clause.left
    if (
        getattr(left, "name", None) != key
        or getattr(getattr(left, "table", None), "name", None) != table
    ):
        return None
    value: Any = clause.right.value
    if clause.operator is operators.eq and isinstance(value, int):
        return {value}
    is_list = isinstance(value, list | tuple)
    if clause.operator is operators.in_op and is_list and all(isinstance(v, int) for v in value):
        return {int(v) for v in value}
    return None
