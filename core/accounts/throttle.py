"""Sign-in throttling: per client address first, then per account; every count is one
atomic UPDATE, and every check runs before a password hash is computed.

Why this shape (issue 14): counting in Python after a read let 25 simultaneous wrong
passwords leave the counter at 1, and a lock that anybody could renew with 5 requests kept
any account, admin included, locked for ever. Now:

* **Address first.** ``max_failed_sign_ins_per_address`` failures from one address (against
  any accounts, unknown usernames included) throttle that address for ``lockout_minutes``,
  then twice as long at each further throttle (capped at a day). A throttled address is
  refused before anything else, and its attempts no longer count against any account.
* **Account lock, temporary.** ``max_failed_sign_ins`` failures lock the account for
  ``lockout_minutes``; the count and the lock are one ``UPDATE … SET failed_sign_ins =
  failed_sign_ins + 1, locked_until = CASE …`` taken *before* the hash (the attempt is
  reserved; a right password resets it), so simultaneous attempts cannot slip past it.
* **The owner's own address is not locked out.** An address that signed in to this account
  before (a session of the last ``KNOWN_ADDRESS_DAYS``) is not stopped by the account lock,
  only by its own address throttle. So an attacker elsewhere locks the account for other
  addresses only; attacking from one address, the address throttle grows and the account
  is free most of the time; nobody can keep the owner out.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import and_, case, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from core.models import Account, AuthSession, SignInAddress
from core.settings import get_settings

KNOWN_ADDRESS_DAYS = 30
MAX_ADDRESS_LOCK = timedelta(days=1)


def address_key(address: str | None) -> str | None:
    """SHA-256 of a client address; None when the address is unknown (no address throttle)."""
    if not address:
        return None
    return hashlib.sha256(f"address:{address.strip().lower()}".encode()).hexdigest()


def address_is_throttled(session: Session, key: str | None, now: datetime) -> bool:
    if key is None:
        return False
    row = session.get(SignInAddress, key)
    return row is not None and row.locked_until is not None and row.locked_until > now


def count_address_failure(session: Session, key: str | None, now: datetime) -> None:
    """One more failure for the address: atomic upsert, then an atomic throttle when due.

    Failures older than an hour stop counting (the next one starts again at 1).
    """
    if key is None:
        return
    settings = get_settings()
    table = SignInAddress.__table__  # type: ignore[attr-defined]
    dialect = sqlite if session.get_bind().dialect.name == "sqlite" else postgresql
    connection = session.connection()
    connection.execute(
        dialect.insert(table)
        .values(address_key=key, failures=0, last_failure_at=now, locks=0)
        .on_conflict_do_nothing(index_elements=["address_key"])
    )
    stale = now - timedelta(hours=1)
    failures = connection.execute(
        update(table)
        .where(table.c.address_key == key)
        .values(
            failures=case((table.c.last_failure_at < stale, 1), else_=table.c.failures + 1),
            last_failure_at=now,
        )
        .returning(table.c.failures, table.c.locks)
    ).one()
    if failures.failures < settings.max_failed_sign_ins_per_address:
        return
    length = min(timedelta(minutes=settings.lockout_minutes) * 2**failures.locks, MAX_ADDRESS_LOCK)
    # Guarded by the count: of simultaneous failures that reached it, one sets the throttle.
    connection.execute(
        update(table)
        .where(
            table.c.address_key == key,
            table.c.failures >= settings.max_failed_sign_ins_per_address,
        )
        .values(failures=0, locked_until=now + length, locks=table.c.locks + 1)
    )


def is_known_address(session: Session, account_id: int, key: str | None, now: datetime) -> bool:
    """Whether this address signed in to this account recently (see the module)."""
    if key is None:
        return False
    since = now - timedelta(days=KNOWN_ADDRESS_DAYS)
    statement = select(AuthSession.id).where(
        AuthSession.account_id == account_id,
        AuthSession.address_key == key,
        col(AuthSession.created_at) >= since,
    )
    return session.exec(statement.limit(1)).first() is not None


def reserve_attempt(
    session: Session, account_id: int, *, known_address: bool, now: datetime
) -> tuple[bool, bool]:
    """Count one attempt on the account before its password is checked: ``(allowed,
    locked_now)``. Not allowed when the account is locked (and the address is not known);
    ``locked_now`` when this very attempt reached the limit and set the lock.

    One UPDATE does the check, the count and the lock, so simultaneous attempts are all
    counted and none passes a lock another has just set. An expired lock starts a fresh
    count. It runs on the session's connection, outside the unit of work's view: the
    counter is sign-in bookkeeping (core.unit_of_work.SIGN_IN_BOOKKEEPING); the caller
    records the lock's audit event.
    """
    settings = get_settings()
    table = Account.__table__  # type: ignore[attr-defined]
    expired = and_(table.c.locked_until.is_not(None), table.c.locked_until <= now)
    new_count = case((expired, 1), else_=table.c.failed_sign_ins + 1)
    open_account = or_(table.c.locked_until.is_(None), table.c.locked_until <= now)
    where = [table.c.id == account_id]
    if not known_address:
        where.append(open_account)
    lock_at = now + timedelta(minutes=settings.lockout_minutes)
    row = (
        session.connection()
        .execute(
            update(table)
            .where(*where)
            .values(
                failed_sign_ins=new_count,
                locked_until=case(
                    (new_count >= settings.max_failed_sign_ins, lock_at),
                    (expired, None),
                    else_=table.c.locked_until,
                ),
            )
            .returning(table.c.failed_sign_ins)
        )
        .first()
    )
    if row is None:
        return False, False
    return True, row.failed_sign_ins == settings.max_failed_sign_ins
