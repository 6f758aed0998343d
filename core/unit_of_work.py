"""One unit of work per write: what a transaction changed decides what its commit must do.

``core.db.session_scope`` opens a ``UnitOfWork``; services get its Session and no longer
have to remember the two duties of every write:

* directory data changed (``DIRECTORY_TABLES``): the data version is bumped exactly once,
  in the same transaction, and ``directory_change`` records which partners changed at that
  version (NULL: possibly all of them), so every process applies just those partners to
  its search index (core.search.deltas) and a rolled-back write bumps nothing;
* an audited table changed: the same transaction must hold an audit event of a matching
  entity type (``core.audit.record_change``), or the commit is refused: rolled back, and
  ``UnauditedChange`` raised.

Changes are seen through session events, not reported by callers: ``before_flush`` sees
ORM objects (new, modified, deleted); ``do_orm_execute`` sees every statement run through
the Session, ORM bulk insert/update/delete as well as Core ``insert(table)`` executemany
(``core.directory.records``, the demo generator). The checks run in ``before_commit``, so
every commit of the Session is checked, also one made in the middle of a scope.

Raw SQL text and statements on ``session.connection()`` are invisible to both events: a
writer that uses them calls ``mark_directory_changed`` and records its audit event itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from sqlalchemy import Engine, event, inspect, text
from sqlalchemy.orm import ORMExecuteState, SessionTransaction
from sqlmodel import Session

from core.directory_changes import (
    partners_named_in,
    partners_of_rows,
    record_directory_changes,
)
from core.models import Account, AuditEvent

DIRECTORY_TABLES = frozenset(
    {"partner", "partner_location", "partner_competency", "partner_certification"}
)

# Which audit entity types account for a change of each audited table. A table missing
# here and in NOT_AUDITED is audited too, by an event of any type (strict by default).
AUDITED_AS: dict[str, frozenset[str]] = {
    "partner": frozenset({"partner"}),
    "partner_location": frozenset({"partner"}),
    "partner_competency": frozenset({"partner"}),
    "partner_year_figures": frozenset({"partner"}),
    # A whole new profile (import, admin create) brings its certifications under its one
    # "created" partner event; submissions and reviews have events of their own.
    "partner_certification": frozenset({"certification", "partner"}),
    "account": frozenset({"account"}),
    # An account's single sign-on email; set by an administrator with an account event.
    "account_email": frozenset({"account"}),
    # A membership change re-marks the vendor's leads the partner holds (lead.vendor_member):
    # its program_membership event is the record of that.
    "lead": frozenset({"lead", "program_membership"}),
    "lead_status_change": frozenset({"lead"}),  # the lead's status_change event covers it
    "program_membership": frozenset({"program_membership"}),
    "figures_consent": frozenset({"figures_consent"}),
    # Approving (or paying, or rejecting) a fund moves its campaign's committed budget in
    # the same transaction; the fund's event records the amounts.
    "campaign": frozenset({"campaign", "fund_request"}),
    "fund_request": frozenset({"fund_request"}),
    "deal_registration": frozenset({"deal_registration"}),
    # Routing: the rules belong to the campaign; offers and their history to the lead.
    "campaign_routing": frozenset({"campaign"}),
    "lead_offer": frozenset({"lead"}),
    "routing_event": frozenset({"lead"}),
    # A customer's "did the partner contact you?" answer is an event of its lead.
    "lead_feedback": frozenset({"lead"}),
    "email_suppression": frozenset({"email_suppression"}),
    "teaming_introduction": frozenset({"introduction"}),
    "review": frozenset({"review"}),
}

# The only tables written without an audit event, and why.
NOT_AUDITED: dict[str, str] = {
    "auth_session": "a browser's sign-in: its start and its end are each written with an "
    "account event (sign_in, sign_out, sign_out_everywhere, password change, deactivation); "
    "the sliding last_seen_at in between is bookkeeping",
    "sign_in_address": "the sign-in throttle per client address: hashed keys and counts, "
    "nobody to attribute them to (each failed sign-in of an account has its own event)",
    "audit_event": "the trail itself",
    "data_version": "a counter this unit of work moves; it carries no information of its own",
    "directory_change": "which partners a version changed, written with that version by this "
    "unit of work; the audit events of the change itself say who and what",
    "search_event": "the anonymous demand log: a visitor's search changes nothing in the "
    "directory and has nobody to attribute it to",
    "outbox_message": "the outbox is its own record: each message is written in the audited "
    "transaction that causes it, and its delivery state is bookkeeping of the worker",
    "one_click_token": "a credential inside a message; using it writes an audited change "
    "(an answer, an unsubscribe, a confirmed profile)",
    "demand_attempt": "the demand-recording rate limit: hashed keys and times, nobody to "
    "attribute them to",
    "contact_attempt": "the contact-form rate limit: hashed keys and times, nobody to "
    "attribute them to",
    "partner_responsiveness": "a summary the worker derives from the leads; it records "
    "nothing of its own",
}

# Columns of ``account`` that every sign-in rewrites (core.accounts.sign_in.authenticate):
# the failed-attempt counter, the time of the last sign-in and the password hash, which a
# sign-in re-hashes when the hashing parameters changed. Auditing them would log every
# sign-in; a change of anything else about an account (a lock included) needs its event.
SIGN_IN_BOOKKEEPING = frozenset({"failed_sign_ins", "last_sign_in_at", "password_hash"})


class UnauditedChange(RuntimeError):
    """A commit was refused because an audited table changed without an audit event."""

    def __init__(self, tables: Iterable[str]) -> None:
        self.tables = sorted(tables)
        detail = "; ".join(
            f"{t} needs an event of type {' or '.join(sorted(AUDITED_AS.get(t, ('any',))))}"
            for t in self.tables
        )
        super().__init__(
            f"Refused to commit changes without an audit event ({detail}). Stage one with "
            "core.audit.record_change in the same transaction. Nothing was written."
        )


@dataclass
class Changes:
    """What the current transaction of one Session wrote, as far as the events saw it."""

    tables: set[str] = field(default_factory=set)  # written tables, audit_event excepted
    audited_as: set[str] = field(default_factory=set)  # entity types of staged audit events
    bumped: bool = False  # the data version already moved in this transaction
    # Which partners the directory writes touched, for core.search.deltas. Objects are kept
    # until commit: a new row has its id only after the flush.
    objects: list[object] = field(default_factory=list)
    partner_ids: set[int] = field(default_factory=set)
    everything: bool = False  # a write whose partners are unknown (bulk or raw SQL)

    @property
    def directory_changed(self) -> bool:
        return bool(self.tables & DIRECTORY_TABLES)

    def unaudited(self) -> set[str]:
        """Changed audited tables that no staged audit event accounts for."""
        missing = set()
        for table in self.tables - NOT_AUDITED.keys():
            allowed = AUDITED_AS.get(table)
            accounted = self.audited_as & allowed if allowed is not None else self.audited_as
            if not accounted:
                missing.add(table)
        return missing


class UnitOfWorkSession(Session):
    """A SQLModel Session whose every commit runs the unit-of-work checks (see the module)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.changes = Changes()

    def commit(self) -> None:
        try:
            super().commit()
        except UnauditedChange:
            self.rollback()  # a refused transaction must not linger for a later commit
            raise


class UnitOfWork:
    """A transaction as one unit (cosmicpython's SqlAlchemyUnitOfWork): ``commit`` settles it,
    leaving the block without a commit discards whatever was not committed."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def __enter__(self) -> UnitOfWork:
        self.session = UnitOfWorkSession(self._engine)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            self.session.rollback()
        finally:
            self.session.close()

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()


def _bump(session: Session) -> None:
    session.execute(text("UPDATE data_version SET version = version + 1 WHERE id = 1"))


def bump_data_version(session: Session, *, partner_ids: Iterable[int] | None = None) -> None:
    """Move the data version: every process brings its read index up to date.

    Runs inside the session's transaction, so a rolled-back write does not bump it. Services
    never call this: the unit of work does, once per committed directory change, recording
    the partners it changed. A direct caller (raw SQL, test fixtures) names the partners it
    changed; without them every process rebuilds its whole index, in the background.
    """
    _bump(session)
    record_directory_changes(session, partner_ids)


def _changes_of(session: Session) -> Changes:
    if not isinstance(session, UnitOfWorkSession):
        raise TypeError("this write needs a unit of work: open it with core.db.session_scope")
    return session.changes


def mark_directory_changed(session: Session, *, partner_ids: Iterable[int] | None = None) -> None:
    """Bump the data version now instead of at commit (and not again at commit).

    For writes the session events cannot see (raw SQL), and for writers that need their
    transaction's first write early: on SQLite that write takes the database write lock,
    which partner inserts with self-chosen ids rely on (core.directory.records).
    ``partner_ids``: the partners those unseen writes changed (none: ``()``); left out,
    every process rebuilds its whole index.
    """
    changes = _changes_of(session)
    if partner_ids is None:
        changes.everything = True
    else:
        changes.partner_ids.update(int(p) for p in partner_ids)
    if not changes.bumped:
        _bump(session)
        changes.bumped = True


def _table_of(instance: object) -> str:
    return str(inspect(instance).mapper.local_table.name)


def _partner_id_of(instance: object) -> int | None:
    value = getattr(instance, "id" if _table_of(instance) == "partner" else "partner_id", None)
    return int(value) if value is not None else None


def _note_directory_object(changes: Changes, instance: object) -> None:
    if _table_of(instance) not in DIRECTORY_TABLES:
        return
    changes.objects.append(instance)
    # Known now for modified and deleted rows; a deleted row may lose it after the flush.
    partner_id = _partner_id_of(instance)
    if partner_id is not None:
        changes.partner_ids.add(partner_id)


def _only_sign_in_bookkeeping(instance: object) -> bool:
    if not isinstance(instance, Account):
        return False
    state = inspect(instance)
    changed = {attr.key for attr in state.attrs if attr.history.has_changes()}
    return changed <= SIGN_IN_BOOKKEEPING


@event.listens_for(UnitOfWorkSession, "before_flush")
def _see_objects(session: UnitOfWorkSession, _context: object, _instances: object) -> None:
    changes = session.changes
    for instance in session.new:
        if isinstance(instance, AuditEvent):
            changes.audited_as.add(instance.entity_type)
        else:
            changes.tables.add(_table_of(instance))
            _note_directory_object(changes, instance)
    for instance in session.deleted:
        changes.tables.add(_table_of(instance))
        _note_directory_object(changes, instance)
    for instance in session.dirty:
        # ``dirty`` holds every object an attribute was set on, changed or not.
        if not session.is_modified(instance, include_collections=False):
            continue
        if not _only_sign_in_bookkeeping(instance):
            changes.tables.add(_table_of(instance))
            _note_directory_object(changes, instance)


def _entity_types(parameters: object) -> set[str]:
    rows = parameters if isinstance(parameters, list) else [parameters]
    return {row["entity_type"] for row in rows if isinstance(row, dict) and "entity_type" in row}


@event.listens_for(UnitOfWorkSession, "do_orm_execute")
def _see_statement(state: ORMExecuteState) -> Any:
    if not (state.is_insert or state.is_update or state.is_delete):
        return None
    changes = state.session.changes  # type: ignore[attr-defined]
    table = str(state.statement.table.name)  # type: ignore[attr-defined]
    if table == "audit_event":
        # Only parameter lists name their entity types (records.insert_partner_records);
        # an audit insert in another form is not counted, and the commit says so.
        changes.audited_as |= _entity_types(state.parameters)
        return None
    if state.is_insert:
        changes.tables.add(table)
        if table in DIRECTORY_TABLES:
            rows = partners_of_rows(table, state.parameters)
            if rows is None:
                changes.everything = True
            else:
                changes.partner_ids |= rows
        return None
    # An UPDATE or DELETE that matched no row changed nothing (a lost compare-and-swap,
    # deactivating partner accounts where there are none): run it here to see its count.
    result = state.invoke_statement()
    if getattr(result, "rowcount", -1) != 0:
        changes.tables.add(table)
        if table in DIRECTORY_TABLES:
            where = getattr(state.statement, "whereclause", None)
            named = partners_named_in(where, table) if where is not None else None
            if named is None:
                changes.everything = True  # which partners it hit is unknown
            else:
                changes.partner_ids |= named
    return result


@event.listens_for(UnitOfWorkSession, "before_commit")
def _settle(session: UnitOfWorkSession) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the outer transaction settles everything once
    session.flush()  # objects still pending are changes of this transaction too
    changes = session.changes
    missing = changes.unaudited()
    if missing:
        raise UnauditedChange(missing)
    if changes.directory_changed and not changes.bumped:
        _bump(session)
        changes.bumped = True
    if changes.bumped:
        for instance in changes.objects:
            partner_id = _partner_id_of(instance)
            if partner_id is not None:
                changes.partner_ids.add(partner_id)
        # A bump with nothing named still moved the version: say "anything" for it.
        unknown = changes.everything or not changes.partner_ids
        record_directory_changes(session, None if unknown else sorted(changes.partner_ids))


@event.listens_for(UnitOfWorkSession, "after_transaction_end")
def _forget(session: UnitOfWorkSession, transaction: SessionTransaction) -> None:
    # Committed or rolled back, the next transaction starts with nothing written. Savepoints
    # are not tracked apart: a rolled-back savepoint at worst costs one extra bump.
    if transaction.parent is None:
        session.changes = Changes()
