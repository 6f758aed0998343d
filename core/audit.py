"""The audit trail: who changed what, when, with the value before and after per field.

Every write in core records one event inside its own transaction, so a rolled-back change
leaves no audit row and a committed one always has its row. The unit of work
(core.unit_of_work) refuses to commit a change to an audited table without one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, cast, func, or_
from sqlmodel import Session, col, select

from core.access import ensure_admin, fresh_actor
from core.models import AccountPublic, AuditEvent, MaxLength, utc_now

ANONYMOUS_LABEL = "anonymous visitor"
SYSTEM_LABEL = "system"
ENTITY_TYPES = (
    "partner",
    "account",
    "certification",
    "lead",
    "program_membership",
    "figures_consent",
    "campaign",
    "fund_request",
    "deal_registration",
    "email_suppression",
    "introduction",
    "review",
    "export",  # a CSV someone downloaded or wrote: what, how many rows (core.exports)
)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor_account_id: int | None
    actor_label: str
    entity_type: str
    entity_id: str
    action: str
    changes: dict[str, dict[str, Any]]


def jsonable(value: Any) -> Any:
    """A value as it can be stored in a JSON column and compared after a round trip."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [jsonable(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "model_dump"):
        return jsonable(value.model_dump())
    return str(value)


def diff_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Only the fields whose value differs, as {field: {"before": ..., "after": ...}}."""
    changes: dict[str, dict[str, Any]] = {}
    for field in [*before, *(k for k in after if k not in before)]:
        old, new = jsonable(before.get(field)), jsonable(after.get(field))
        if old != new:
            changes[field] = {"before": old, "after": new}
    return changes


def record_change(
    *,
    session: Session,
    actor: AccountPublic | None,
    entity_type: str,
    entity_id: int | str,
    action: str,
    before: dict[str, Any],
    after: dict[str, Any],
    actor_label: str | None = None,
) -> AuditEvent:
    """Add one audit event to the caller's transaction (committed with the change itself)."""
    label = actor_label or (actor.username if actor is not None else ANONYMOUS_LABEL)
    event = AuditEvent(
        at=utc_now(),
        actor_account_id=actor.id if actor is not None else None,
        actor_label=label[: MaxLength.ACTOR_LABEL],
        entity_type=entity_type,
        entity_id=str(entity_id)[: MaxLength.AUDIT_ENTITY_ID],
        action=action[: MaxLength.AUDIT_ACTION],
        changes=diff_fields(before, after),
    )
    session.add(event)
    return event


def record_export(
    *,
    session: Session,
    actor: AccountPublic | None,
    what: str,
    rows: int,
    details: dict[str, Any] | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """One audit event for an export: entity ``export``/``what``, the row count as a change
    from nothing (so the Audit trail page shows it like any other field)."""
    return record_change(
        session=session,
        actor=actor,
        entity_type="export",
        entity_id=what,
        action="export",
        before={},
        after={"rows": rows, **(details or {})},
        actor_label=actor_label,
    )


def _like_pattern(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass(frozen=True)
class AuditFilter:
    """Which events to read. ``actor`` matches part of the actor label; ``text`` searches the
    action, the entity id and the before/after values. ``until`` is exclusive."""

    entity_type: str | None = None
    entity_id: str | int | None = None
    actor: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    text: str | None = None

    def apply(self, statement: Any) -> Any:
        if self.entity_type:
            statement = statement.where(AuditEvent.entity_type == self.entity_type)
        if self.entity_id is not None and str(self.entity_id) != "":
            statement = statement.where(AuditEvent.entity_id == str(self.entity_id))
        if self.actor:
            pattern = _like_pattern(self.actor.strip())
            label = func.lower(AuditEvent.actor_label)
            statement = statement.where(label.like(pattern, escape="\\"))
        if self.since is not None:
            statement = statement.where(AuditEvent.at >= self.since)
        if self.until is not None:
            statement = statement.where(AuditEvent.at < self.until)
        if self.text and self.text.strip():
            needle = self.text.strip()
            # The JSON column stores non-ASCII text as \u escapes: search both spellings.
            escaped_needle = json.dumps(needle)[1:-1]
            changes_text = func.lower(cast(AuditEvent.changes, String))
            conditions = [
                func.lower(AuditEvent.action).like(_like_pattern(needle), escape="\\"),
                func.lower(AuditEvent.entity_id).like(_like_pattern(needle), escape="\\"),
                changes_text.like(_like_pattern(needle), escape="\\"),
                changes_text.like(_like_pattern(escaped_needle), escape="\\"),
            ]
            statement = statement.where(or_(*conditions))
        return statement


def list_audit_events(
    *,
    session: Session,
    viewer: AccountPublic | None,
    filters: AuditFilter | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[AuditEntry]:
    """Newest first, the events ``filters`` select (every event without filters).

    Only administrators may read the trail (``PermissionDenied`` otherwise): it holds the
    contact data of leads and every confidential figure that was ever changed.
    """
    ensure_admin(fresh_actor(session, viewer))
    statement = (filters or AuditFilter()).apply(select(AuditEvent))
    statement = statement.order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
    rows = session.exec(statement.limit(max(1, min(limit, 1000))).offset(max(0, offset))).all()
    return [
        AuditEntry(
            id=row.id or 0,
            at=row.at,
            actor_account_id=row.actor_account_id,
            actor_label=row.actor_label,
            entity_type=row.entity_type,
            entity_id=row.entity_id,
            action=row.action,
            changes=dict(row.changes or {}),
        )
        for row in rows
    ]


def count_audit_events(
    *,
    session: Session,
    viewer: AccountPublic | None,
    filters: AuditFilter | None = None,
) -> int:
    """How many events ``list_audit_events`` pages through (administrators only)."""
    ensure_admin(fresh_actor(session, viewer))
    statement = (filters or AuditFilter()).apply(select(func.count()).select_from(AuditEvent))
    return int(session.exec(statement).one())


def review_notes(*, session: Session, certification_ids: list[int]) -> dict[int, str]:
    """The note of the latest approve/reject of each of these certifications ('' when none).

    The partner that submitted a certification sees the reviewer's note, so this reads just
    those notes, not the trail.
    """
    if not certification_ids:
        return {}
    rows = session.exec(
        select(AuditEvent)
        .where(AuditEvent.entity_type == "certification")
        .where(col(AuditEvent.entity_id).in_([str(i) for i in certification_ids]))
        .where(col(AuditEvent.action).in_(("approve", "reject")))
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
    ).all()
    notes: dict[int, str] = {}
    for row in rows:  # newest first: the first event per certification wins
        note = (row.changes or {}).get("review_note", {}).get("after")
        notes.setdefault(int(row.entity_id), note or "")
    return notes
