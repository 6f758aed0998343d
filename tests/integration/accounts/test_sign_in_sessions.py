"""Server-side sessions (core.accounts.sessions): hand-over code → cookie token, resolve,
sliding expiry, and the end of every session on sign-out, password change, deactivation;
each sign-in and sign-out has its audit event. Single sign-on maps a verified email."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from core.accounts.admin import set_account_active, set_sign_on_email
from core.accounts.errors import AccountError, SignInError
from core.accounts.records import change_password, create_account
from core.accounts.sessions import hash_secret, redeem_handoff, resolve_session
from core.accounts.sign_in import SignInResult, authenticate, sign_in_with_sso, sign_out
from core.db import session_scope
from core.models import AccountPublic, AuditEvent, AuthSession, utc_now
from core.settings import get_settings

PASSWORD = "correct horse battery"


@pytest.fixture
def admin(db_engine: Engine) -> AccountPublic:
    with session_scope(db_engine) as session:
        return create_account(
            session=session, actor=None, username="root", password=PASSWORD, role="admin"
        )


@pytest.fixture
def vendor(db_engine: Engine, admin: AccountPublic) -> AccountPublic:
    with session_scope(db_engine) as session:
        return create_account(
            session=session,
            actor=admin,
            username="vend",
            password=PASSWORD,
            role="vendor",
            vendor_name="Cisco",
            regions=["west"],
        )


def sign_in(engine: Engine, username: str = "vend", now=None) -> SignInResult:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return authenticate(
            session=session, username=username, password=PASSWORD, now=now or utc_now()
        )


def redeem(engine: Engine, code: str, now=None) -> str | None:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return redeem_handoff(session=session, code=code, now=now or utc_now())


def by_token(engine: Engine, token: str, now=None) -> AccountPublic | None:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        found = resolve_session(session=session, token=token, now=now or utc_now())
    return found.account if found else None


def actions(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEvent.action).order_by(AuditEvent.id)).all())


def test_a_sign_in_code_buys_one_cookie_token_that_every_tab_can_use(
    db_engine: Engine, vendor: AccountPublic
) -> None:
    result = sign_in(db_engine)
    token = redeem(db_engine, result.handoff_code)
    assert token is not None
    assert redeem(db_engine, result.handoff_code) is None  # single use
    for _ in range(3):  # a reload, a new tab, a second window: the same cookie
        account = by_token(db_engine, token)
        assert account is not None and account.id == vendor.id
    with Session(db_engine) as session:
        row = session.get(AuthSession, result.session_id)
        assert row is not None and row.token_hash == hash_secret(token)  # stored hashed
        assert token not in {row.token_hash, row.handoff_hash}
    assert actions(db_engine)[-1] == "sign_in"


def test_a_late_code_buys_nothing(db_engine: Engine, vendor: AccountPublic) -> None:
    result = sign_in(db_engine)
    assert redeem(db_engine, result.handoff_code, utc_now() + timedelta(minutes=2)) is None
    assert redeem(db_engine, "made-up") is None


def test_a_session_expires_when_idle_and_slides_while_used(
    db_engine: Engine, vendor: AccountPublic
) -> None:
    minutes = get_settings().session_minutes
    now = utc_now()
    token = redeem(db_engine, sign_in(db_engine, now=now).handoff_code, now)
    assert token is not None
    assert by_token(db_engine, token, now + timedelta(minutes=minutes - 1)) is not None
    assert by_token(db_engine, token, now + timedelta(minutes=2 * minutes - 2)) is not None
    assert by_token(db_engine, token, now + timedelta(minutes=3 * minutes)) is None


def test_sign_out_ends_one_session_and_sign_out_everywhere_ends_all(
    db_engine: Engine, vendor: AccountPublic
) -> None:
    first, second, third = (sign_in(db_engine) for _ in range(3))
    tokens = [redeem(db_engine, r.handoff_code) for r in (first, second, third)]
    with session_scope(db_engine) as session:
        sign_out(
            session=session,
            actor=vendor,
            session_id=first.session_id,
            everywhere=False,
            now=utc_now(),
        )
    assert [by_token(db_engine, t) is not None for t in tokens] == [False, True, True]
    with session_scope(db_engine) as session:
        ended = sign_out(
            session=session,
            actor=vendor,
            session_id=second.session_id,
            everywhere=True,
            now=utc_now(),
        )
    assert ended == 2
    assert [by_token(db_engine, t) is not None for t in tokens] == [False, False, False]
    assert actions(db_engine)[-2:] == ["sign_out", "sign_out_everywhere"]


def test_a_password_change_and_a_deactivation_end_every_session(
    db_engine: Engine, admin: AccountPublic, vendor: AccountPublic
) -> None:
    here, elsewhere = sign_in(db_engine), sign_in(db_engine)
    here_token = redeem(db_engine, here.handoff_code)
    elsewhere_token = redeem(db_engine, elsewhere.handoff_code)
    with session_scope(db_engine) as session:
        change_password(
            session=session,
            actor=vendor,
            current_password=PASSWORD,
            new_password="another password",
            keep_session_id=here.session_id,
        )
    assert by_token(db_engine, elsewhere_token or "") is None
    assert by_token(db_engine, here_token or "") is not None  # the browser that changed it
    with session_scope(db_engine) as session:
        set_account_active(session=session, actor=admin, account_id=vendor.id, active=False)
    assert by_token(db_engine, here_token or "") is None
    with Session(db_engine) as session:
        reasons = session.exec(select(AuthSession.ended_reason).order_by(AuthSession.id)).all()
    assert reasons == ["deactivate", "change_password"]  # here, elsewhere


def add_email(engine: Engine, admin: AccountPublic, account_id: int, email: str) -> None:
    with session_scope(engine) as session:
        set_sign_on_email(session=session, actor=admin, account_id=account_id, email=email)


def test_single_sign_on_maps_a_verified_email_to_a_vendor_or_admin_account(
    db_engine: Engine, admin: AccountPublic, vendor: AccountPublic
) -> None:
    add_email(db_engine, admin, vendor.id, "vend@example.com")
    with session_scope(db_engine) as session:
        result = sign_in_with_sso(
            session=session, email="Vend@Example.com", email_verified=True, now=utc_now()
        )
    assert result.account.id == vendor.id
    for email, verified in (("vend@example.com", False), ("nobody@example.com", True)):
        with pytest.raises(SignInError), session_scope(db_engine) as session:
            sign_in_with_sso(session=session, email=email, email_verified=verified, now=utc_now())
    with Session(db_engine) as session:
        row = session.get(AuthSession, result.session_id)
        assert row is not None and row.via == "sso"
    with pytest.raises(AccountError):  # one email, one account
        add_email(db_engine, admin, admin.id, "VEND@example.com")
    add_email(db_engine, admin, vendor.id, "")  # cleared: single sign-on no longer finds it
    with pytest.raises(SignInError), session_scope(db_engine) as session:
        sign_in_with_sso(
            session=session, email="vend@example.com", email_verified=True, now=utc_now()
        )
