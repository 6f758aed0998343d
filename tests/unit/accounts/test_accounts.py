"""Accounts: hashing, roles, sign-in, lock-out, session expiry, password change, admin tools."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine
from sqlmodel import Session, select

from core.access import PermissionDenied
from core.accounts.admin import (
    list_accounts,
    reset_password,
    set_account_active,
    unlock_account,
    update_account,
)
from core.accounts.errors import AccountError, SignInError
from core.accounts.records import change_password, create_account
from core.accounts.sessions import resolve_session
from core.accounts.sign_in import authenticate
from core.db import create_db_engine, session_scope
from core.demo.accounts import create_demo_accounts, demo_partner_ids
from core.directory.records import create_partner
from core.leads.lifecycle import submit_contact_request
from core.migrations import migrate
from core.models import (
    Account,
    AccountPublic,
    AuditEvent,
    ContactRequest,
    LocationInput,
    PartnerCreate,
    utc_now,
)
from core.settings import get_settings

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Still argon2id, with test-sized cost: only the hash format is checked here."""
    monkeypatch.setattr(
        "core.accounts.passwords._hasher",
        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
    )


@pytest.fixture
def engine(tmp_sqlite_url: str) -> Iterator[Engine]:
    engine = create_db_engine(tmp_sqlite_url)
    migrate(engine)
    with session_scope(engine) as session:
        for name in ("Alpha Networks", "Beta Secure"):
            create_partner(
                session=session,
                partner=PartnerCreate(name=name, locations=[LocationInput(zip_code="78701")]),
                actor_label="test",
            )
    yield engine
    engine.dispose()


@pytest.fixture
def admin(engine: Engine) -> AccountPublic:
    with session_scope(engine) as session:
        return create_account(
            session=session, actor=None, username="root", password=PASSWORD, role="admin"
        )


def make(engine: Engine, actor: AccountPublic | None, **fields: object) -> AccountPublic:
    values = {"password": PASSWORD, **fields}
    with session_scope(engine) as session:
        return create_account(session=session, actor=actor, **values)  # type: ignore[arg-type]


def sign_in(engine: Engine, username: str, password: str, now=None) -> AccountPublic:  # type: ignore[no-untyped-def]
    return open_session_for(engine, username, password, now).account


def open_session_for(engine: Engine, username: str, password: str, now=None):  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return authenticate(
            session=session, username=username, password=password, now=now or utc_now()
        )


def alive(engine: Engine, session_id: int, now=None) -> bool:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        found = resolve_session(session=session, session_id=session_id, now=now or utc_now())
    return found is not None


def test_password_is_stored_as_argon2id_hash_never_in_clear(engine: Engine, admin) -> None:
    with Session(engine) as session:
        row = session.exec(select(Account).where(Account.username == "root")).one()
    assert row.password_hash.startswith("$argon2id$")
    assert PASSWORD not in row.password_hash


def test_first_admin_bootstraps_without_actor_but_not_a_second_one(engine: Engine, admin) -> None:
    with pytest.raises(PermissionDenied):
        make(engine, None, username="root2", role="admin")
    # The command line may still create accounts explicitly.
    with session_scope(engine) as session:
        created = create_account(
            session=session,
            actor=None,
            from_cli=True,
            username="root2",
            password=PASSWORD,
            role="admin",
        )
    assert created.role == "admin"


def test_only_admins_create_accounts(engine: Engine, admin) -> None:
    partner = make(engine, admin, username="pat1", role="partner", partner_id=1)
    vendor = make(
        engine, admin, username="ven1", role="vendor", vendor_name="Cisco", regions=["west"]
    )
    for actor in (partner, vendor):
        with pytest.raises(PermissionDenied):
            make(engine, actor, username="sneaky", role="admin")
    with pytest.raises(PermissionDenied):
        make(engine, None, username="sneaky", role="partner", partner_id=1)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"role": "partner"}, "existing partner"),
        ({"role": "partner", "partner_id": 999}, "existing partner"),
        ({"role": "partner", "partner_id": 1, "vendor_name": "Cisco"}, "no vendor"),
        ({"role": "vendor", "regions": ["west"]}, "vendor name"),
        ({"role": "vendor", "vendor_name": "Cisco"}, "sales region"),
        ({"role": "vendor", "vendor_name": "Cisco", "regions": ["mars"]}, "Unknown sales region"),
        ({"role": "admin", "partner_id": 1}, "Only partner accounts"),
        ({"role": "superuser"}, "Role must be"),
        ({"role": "admin", "password": "short"}, "at least 10"),
        ({"role": "admin", "username": "x"}, "3 to 64"),
        ({"role": "admin", "username": "<script>"}, "3 to 64"),
        ({"role": "admin", "username": "ROOT"}, "already taken"),
    ],
)
def test_account_input_is_validated_with_clear_messages(
    engine: Engine, admin, fields: dict, message: str
) -> None:
    values = {"username": "someone", **fields}
    with pytest.raises(AccountError, match=message):
        make(engine, admin, **values)


def test_sign_in_is_case_insensitive_on_username(engine: Engine, admin) -> None:
    assert sign_in(engine, "  ROOT ", PASSWORD).id == admin.id


def test_failed_sign_in_message_does_not_reveal_whether_the_user_exists(
    engine: Engine, admin
) -> None:
    with pytest.raises(SignInError) as unknown:
        sign_in(engine, "nobody", PASSWORD)
    with pytest.raises(SignInError) as wrong:
        sign_in(engine, "root", "wrong password!")
    assert str(unknown.value) == str(wrong.value)


def test_account_locks_after_repeated_failures_and_unlocks_after_the_lockout(
    engine: Engine, admin
) -> None:
    settings = get_settings()
    now = utc_now()
    for _ in range(settings.max_failed_sign_ins):
        with pytest.raises(SignInError):
            sign_in(engine, "root", "wrong password!", now)
    # Locked: even the right password is refused, with the same message.
    with pytest.raises(SignInError):
        sign_in(engine, "root", PASSWORD, now + timedelta(minutes=1))
    later = now + timedelta(minutes=settings.lockout_minutes, seconds=1)
    assert sign_in(engine, "root", PASSWORD, later).id == admin.id
    with Session(engine) as session:
        row = session.get(Account, admin.id)
        assert row is not None and row.failed_sign_ins == 0 and row.locked_until is None
        actions = session.exec(select(AuditEvent.action).where(AuditEvent.entity_type == "account"))
        assert "lock" in actions.all()


def test_inactive_account_cannot_sign_in_and_its_session_ends(engine: Engine, admin) -> None:
    user = make(engine, admin, username="pat1", role="partner", partner_id=1)
    signed_in = open_session_for(engine, "pat1", PASSWORD)
    assert alive(engine, signed_in.session_id)
    with session_scope(engine) as session:
        set_account_active(session=session, actor=admin, account_id=user.id, active=False)
    with pytest.raises(SignInError):
        sign_in(engine, "pat1", PASSWORD)
    assert not alive(engine, signed_in.session_id)


def test_session_expires_after_idle_minutes(engine: Engine, admin) -> None:
    minutes = get_settings().session_minutes
    now = utc_now()
    signed_in = open_session_for(engine, "root", PASSWORD, now)
    assert alive(engine, signed_in.session_id, now + timedelta(minutes=minutes - 1))
    # The run above slid the expiry forward: idle minutes count from the last page view.
    assert alive(engine, signed_in.session_id, now + timedelta(minutes=2 * minutes - 2))
    assert not alive(engine, signed_in.session_id, now + timedelta(minutes=3 * minutes))
    assert not alive(engine, 9999, now)


def test_password_change_needs_the_current_password_and_the_policy(engine: Engine, admin) -> None:
    with session_scope(engine) as session, pytest.raises(AccountError, match="current password"):
        change_password(
            session=session, actor=admin, current_password="nope", new_password="x" * 12
        )
    with session_scope(engine) as session, pytest.raises(AccountError, match="at least"):
        change_password(session=session, actor=admin, current_password=PASSWORD, new_password="x")
    with session_scope(engine) as session:
        change_password(
            session=session, actor=admin, current_password=PASSWORD, new_password="a new secret!"
        )
    with pytest.raises(SignInError):
        sign_in(engine, "root", PASSWORD)
    assert sign_in(engine, "root", "a new secret!").id == admin.id


def test_a_password_change_or_reset_ends_sessions_signed_in_before_it(
    engine: Engine, admin
) -> None:
    user = make(engine, admin, username="pat2", role="partner", partner_id=1)
    here = open_session_for(engine, "pat2", PASSWORD).session_id
    elsewhere = open_session_for(engine, "pat2", PASSWORD).session_id
    with session_scope(engine) as session:
        change_password(
            session=session,
            actor=user,
            current_password=PASSWORD,
            new_password="changed pw 1",
            keep_session_id=here,
        )
    assert alive(engine, here) and not alive(engine, elsewhere)
    with session_scope(engine) as session:
        reset_password(session=session, actor=admin, account_id=user.id, new_password="reset pw 22")
    assert not alive(engine, here)
    assert alive(engine, open_session_for(engine, "pat2", "reset pw 22").session_id)


def test_admin_tools_reset_unlock_update_and_list(engine: Engine, admin) -> None:
    user = make(
        engine, admin, username="ven1", role="vendor", vendor_name="Cisco", regions=["west"]
    )
    for _ in range(get_settings().max_failed_sign_ins):
        with pytest.raises(SignInError):
            sign_in(engine, "ven1", "wrong password!")
    with session_scope(engine) as session:
        unlock_account(session=session, actor=admin, account_id=user.id)
        reset_password(
            session=session, actor=admin, account_id=user.id, new_password="reset pass 1"
        )
        update_account(session=session, actor=admin, account_id=user.id, regions=["south", "west"])
    assert sign_in(engine, "ven1", "reset pass 1").regions == ["south", "west"]
    with Session(engine) as session:
        listed = list_accounts(session=session, actor=admin, text="cisco")
        assert [a.username for a in listed] == ["ven1"]
        with pytest.raises(PermissionDenied):
            list_accounts(session=session, actor=user)


def test_non_admin_may_only_change_own_display_name(engine: Engine, admin) -> None:
    user = make(engine, admin, username="pat1", role="partner", partner_id=1)
    with session_scope(engine) as session:
        update_account(session=session, actor=user, account_id=user.id, display_name="Me")
    with session_scope(engine) as session, pytest.raises(PermissionDenied):
        update_account(session=session, actor=user, account_id=user.id, partner_id=2)
    with session_scope(engine) as session, pytest.raises(PermissionDenied):
        update_account(session=session, actor=user, account_id=admin.id, display_name="x")


def test_admin_cannot_deactivate_itself(engine: Engine, admin) -> None:
    with session_scope(engine) as session, pytest.raises(AccountError):
        set_account_active(session=session, actor=admin, account_id=admin.id, active=False)


def test_a_forged_role_on_the_actor_grants_nothing(engine: Engine, admin) -> None:
    user = make(engine, admin, username="pat1", role="partner", partner_id=1)
    forged = user.model_copy(update={"role": "admin"})
    with Session(engine) as session, pytest.raises(PermissionDenied):
        list_accounts(session=session, actor=forged)


def test_demo_partner_accounts_go_to_partners_with_new_leads_first(engine: Engine) -> None:
    request = ContactRequest(
        contact_name="Dana", contact_email="dana@example.com", company_size="1-10", needs=["cloud"]
    )
    with session_scope(engine) as session:
        for _ in range(3):
            submit_contact_request(session=session, partner_id=2, request=request)
    with Session(engine) as session:
        assert demo_partner_ids(session) == [2, 1]
    by_name = {d.username: d for d in create_demo_accounts(engine=engine)}
    assert by_name["partner1"].partner_id == 2


def test_demo_accounts_are_created_once_for_the_two_lowest_partner_ids(engine: Engine) -> None:
    first = create_demo_accounts(engine=engine)
    again = create_demo_accounts(engine=engine)
    assert first == again
    by_name = {d.username: d for d in first}
    assert by_name["cisco"].vendor_name == "Cisco"
    assert set(by_name["cisco"].regions) == {"south", "west"}
    assert [d.partner_id for d in first if d.role == "partner"] == [1, 2]
    for demo in first:
        assert sign_in(engine, demo.username, demo.password).role == demo.role
