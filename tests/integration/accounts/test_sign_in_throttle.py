"""Sign-in throttling (core.accounts.throttle): one atomic count before any hash, per client
address first, and an account lock that is temporary and spares the owner's own address."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from core.accounts.errors import SignInError
from core.accounts.records import create_account
from core.accounts.sign_in import SignInResult, authenticate
from core.db import session_scope
from core.models import Account, AuditEvent, utc_now
from core.settings import get_settings

PASSWORD = "correct horse battery"
OWNER = "10.0.0.1"
ATTACKER = "203.0.113.9"


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def configure(monkeypatch: pytest.MonkeyPatch, **values: int) -> None:
    for name, value in values.items():
        monkeypatch.setenv(f"ATLAS_{name.upper()}", str(value))
    get_settings.cache_clear()


@pytest.fixture
def admin_id(db_engine: Engine) -> int:
    with session_scope(db_engine) as session:
        return create_account(
            session=session, actor=None, username="root", password=PASSWORD, role="admin"
        ).id


def attempt(engine: Engine, password: str, address: str | None, now=None) -> SignInResult | None:  # type: ignore[no-untyped-def]
    try:
        with session_scope(engine) as session:
            return authenticate(
                session=session,
                username="root",
                password=password,
                now=now or utc_now(),
                address=address,
            )
    except SignInError:
        return None


def counter(engine: Engine, account_id: int) -> tuple[int, object]:
    with Session(engine) as session:
        row = session.get(Account, account_id)
        assert row is not None
        return row.failed_sign_ins, row.locked_until


def test_25_simultaneous_wrong_passwords_are_all_counted(
    db_engine: Engine, admin_id: int, settings_env: pytest.MonkeyPatch
) -> None:
    # Limits above 25, so every attempt must land in the counter (the old read-then-write
    # counting left it at a handful).
    configure(settings_env, max_failed_sign_ins=100, max_failed_sign_ins_per_address=100)
    with ThreadPoolExecutor(max_workers=25) as pool:
        results = list(
            pool.map(lambda i: attempt(db_engine, "wrong", f"198.51.100.{i}"), range(25))
        )
    assert results == [None] * 25
    assert counter(db_engine, admin_id)[0] == 25
    with Session(db_engine) as session:
        failed = session.exec(select(AuditEvent).where(AuditEvent.action == "sign_in_failed"))
        assert len(failed.all()) == 25


def test_simultaneous_wrong_passwords_lock_the_account_once_and_nobody_passes_the_lock(
    db_engine: Engine, admin_id: int, settings_env: pytest.MonkeyPatch, monkeypatch
) -> None:
    configure(settings_env, max_failed_sign_ins=5, max_failed_sign_ins_per_address=100)
    hashed = []
    real = __import__("core.accounts.sign_in", fromlist=["verify_password"]).verify_password
    monkeypatch.setattr(
        "core.accounts.sign_in.verify_password", lambda h, p: hashed.append(1) or real(h, p)
    )
    with ThreadPoolExecutor(max_workers=25) as pool:
        list(pool.map(lambda i: attempt(db_engine, "wrong", f"198.51.100.{i}"), range(25)))
    count, locked_until = counter(db_engine, admin_id)
    assert count == 5 and locked_until is not None
    assert len(hashed) == 5  # the lock is checked before the hash: 20 refused unhashed
    with Session(db_engine) as session:
        locks = session.exec(select(AuditEvent).where(AuditEvent.action == "lock")).all()
    assert len(locks) == 1
    # Locked: even the right password from an unknown address is refused, unhashed.
    assert attempt(db_engine, PASSWORD, "198.51.100.99") is None
    assert len(hashed) == 5


def test_an_attacker_cannot_keep_the_owner_out(
    db_engine: Engine, admin_id: int, settings_env: pytest.MonkeyPatch
) -> None:
    configure(settings_env, max_failed_sign_ins=5, max_failed_sign_ins_per_address=10)
    assert attempt(db_engine, PASSWORD, OWNER) is not None  # the owner's address is known
    for _ in range(5):
        attempt(db_engine, "wrong", ATTACKER)
    assert counter(db_engine, admin_id)[1] is not None  # locked for other addresses
    assert attempt(db_engine, PASSWORD, "192.0.2.50") is None
    assert attempt(db_engine, PASSWORD, OWNER) is not None  # but not for the owner's
    # The attacker keeps going: its address is throttled (refused whatever it sends) ...
    for _ in range(5):
        attempt(db_engine, "wrong", ATTACKER)
    assert attempt(db_engine, PASSWORD, ATTACKER) is None
    # ... and after the lock-out anyone may sign in again: the lock is temporary.
    later = utc_now() + timedelta(minutes=get_settings().lockout_minutes, seconds=1)
    assert attempt(db_engine, PASSWORD, "192.0.2.50", now=later) is not None


def test_an_address_that_keeps_failing_is_throttled_longer_each_time(
    db_engine: Engine, admin_id: int, settings_env: pytest.MonkeyPatch
) -> None:
    configure(settings_env, max_failed_sign_ins=100, max_failed_sign_ins_per_address=3)
    minutes = get_settings().lockout_minutes
    now = utc_now()
    for _ in range(3):
        attempt(db_engine, "wrong", ATTACKER, now=now)
    assert attempt(db_engine, PASSWORD, ATTACKER, now=now + timedelta(minutes=1)) is None
    second = now + timedelta(minutes=minutes, seconds=1)  # the first throttle is over
    for _ in range(3):
        attempt(db_engine, "wrong", ATTACKER, now=second)
    # Twice as long now: still throttled after one lock-out length.
    still = second + timedelta(minutes=minutes, seconds=1)
    assert attempt(db_engine, PASSWORD, ATTACKER, now=still) is None
    free = second + timedelta(minutes=2 * minutes, seconds=1)
    assert attempt(db_engine, PASSWORD, ATTACKER, now=free) is not None
