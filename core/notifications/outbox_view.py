"""The outbox as administrators read it (Outbox page, ``python -m core outbox``), and their
one action on it: send a failed message again.

Reading is for administrators only, or the command line (``cli_operator``: whoever can run
commands on the server can read the database anyway). Counts are grouped in SQL.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CursorResult, func, update
from sqlmodel import Session, col, select

from core.access import ensure_admin, fresh_actor
from core.audit import record_change
from core.models import (
    OUTBOX_FAILED,
    OUTBOX_PENDING,
    OUTBOX_STATUSES,
    AccountPublic,
    OutboxMessage,
    OutboxMessagePublic,
    utc_now,
)

MAX_LIMIT = 1000


def _ensure_reader(session: Session, actor: AccountPublic | None, cli_operator: str | None) -> None:
    if actor is None and cli_operator:
        return
    ensure_admin(fresh_actor(session, actor))


def list_outbox(
    *,
    session: Session,
    actor: AccountPublic | None,
    status: str | None = None,
    limit: int = 100,
    cli_operator: str | None = None,
) -> list[OutboxMessagePublic]:
    """Messages, newest first, optionally of one status (ValueError for an unknown one)."""
    _ensure_reader(session, actor, cli_operator)
    if status is not None and status not in OUTBOX_STATUSES:
        raise ValueError(f"unknown status {status!r}; statuses: {', '.join(OUTBOX_STATUSES)}")
    statement = select(OutboxMessage)
    if status is not None:
        statement = statement.where(col(OutboxMessage.status) == status)
    statement = statement.order_by(
        col(OutboxMessage.created_at).desc(), col(OutboxMessage.id).desc()
    ).limit(max(0, min(limit, MAX_LIMIT)))
    return [
        OutboxMessagePublic.model_validate(row, from_attributes=True)
        for row in session.exec(statement).all()
    ]


def outbox_counts(
    *, session: Session, actor: AccountPublic | None, cli_operator: str | None = None
) -> dict[str, int]:
    """{status: messages} for every status, zeros included."""
    _ensure_reader(session, actor, cli_operator)
    rows = session.exec(
        select(OutboxMessage.status, func.count()).group_by(col(OutboxMessage.status))
    ).all()
    counts = dict.fromkeys(OUTBOX_STATUSES, 0)
    counts.update({status: int(count) for status, count in rows})
    return counts


def retry_message(
    *, session: Session, actor: AccountPublic | None, message_id: int, now: datetime | None = None
) -> bool:
    """Put a failed message back in line for the next pass, with a fresh set of attempts.

    A guarded UPDATE (only while it is still failed), so two administrators clicking at once
    queue it once; False when it was no longer failed. The outbox itself is not audited, but
    a retry is a person's decision to send mail, so it gets an audit event.
    """
    current = ensure_admin(fresh_actor(session, actor))
    result = session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id)
        .where(col(OutboxMessage.status) == OUTBOX_FAILED)
        .values(status=OUTBOX_PENDING, attempts=0, next_attempt_at=now or utc_now())
        .execution_options(synchronize_session=False)
    )
    if not isinstance(result, CursorResult) or result.rowcount != 1:
        return False
    record_change(
        session=session, actor=current, entity_type="outbox_message", entity_id=message_id,
        action="retry", before={"status": OUTBOX_FAILED}, after={"status": OUTBOX_PENDING},
    )  # fmt: skip
    return True
