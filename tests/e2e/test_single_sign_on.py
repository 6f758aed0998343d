"""In Chromium against a real OpenID Connect provider (oidc-provider-mock, in a thread): the
sign-in page offers single sign-on only when [auth] is configured; a vendor whose verified
email is on its account signs in with it and gets our own session cookie; an unknown email
is refused."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from oidc_provider_mock import User, run_server_in_thread
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from core.audit import record_change
from core.db import create_db_engine, session_scope
from core.models import Account, AccountEmail, AccountPublic
from tests.e2e.conftest import AppServer
from tests.e2e.signed_in import COOKIE, settle

VENDOR_EMAIL = "sso-vendor@cisco.example"


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")  # plain http on loopback
    users = [
        User(sub="cisco-sso", claims={"email": VENDOR_EMAIL, "email_verified": True}),
        User(sub="stranger", claims={"email": "who@else.example", "email_verified": True}),
    ]
    with run_server_in_thread(user_claims=users) as server:
        yield f"http://localhost:{server.server_port}"


def give_cisco_an_email(database_url: str) -> None:
    engine = create_db_engine(database_url)
    try:
        with session_scope(engine) as session:
            row = session.exec(select(Account).where(Account.username == "cisco")).one()
            admin = session.exec(select(Account).where(Account.username == "admin")).one()
            assert row.id is not None
            session.add(AccountEmail(account_id=row.id, email=VENDOR_EMAIL))
            record_change(
                session=session,
                actor=AccountPublic.model_validate(admin, from_attributes=True),
                entity_type="account",
                entity_id=row.id,
                action="update",
                before={},
                after={"email": VENDOR_EMAIL},
            )
    finally:
        engine.dispose()


@pytest.fixture
def sso_server(start_app_server, provider: str, tmp_path: Path) -> AppServer:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    (home / ".streamlit").mkdir(parents=True)
    server: AppServer = start_app_server(
        extra_env={
            "HOME": str(home),  # ~/.streamlit/secrets.toml: the repository's stays untouched
            "AUTHLIB_INSECURE_TRANSPORT": "1",
        }
    )
    # Streamlit reads secrets at their first use, after the port is known.
    (home / ".streamlit" / "secrets.toml").write_text(
        "[auth]\n"
        f'redirect_uri = "{server.url}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(16)}"\n'
        'client_id = "partner-atlas"\n'
        'client_secret = "not-checked-by-the-mock"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    give_cisco_an_email(server.database_url)
    return server


def sso_sign_in(page: Page, server: AppServer, subject: str) -> None:
    page.goto(f"{server.url}/sign_in")
    page.get_by_role("button", name="Sign in with single sign-on").click()
    page.get_by_role("button", name=subject).click()  # the provider's "log in as" form


def test_a_vendor_signs_in_with_single_sign_on_and_gets_our_session(
    page: Page, sso_server: AppServer
) -> None:
    sso_sign_in(page, sso_server, "cisco-sso")
    page.wait_for_url(re.compile(r"/sign_in$"), timeout=60_000)
    settle(page)
    expect(page.get_by_test_id("stSidebar")).to_contain_text(re.compile("signed in as cisco", re.I))
    assert any(c["name"] == COOKIE and c["httpOnly"] for c in page.context.cookies())
    page.reload()
    settle(page)
    expect(page.get_by_test_id("stSidebar")).to_contain_text(re.compile("signed in as cisco", re.I))
    engine = create_db_engine(sso_server.database_url)
    with Session(engine) as session:
        vias = session.exec(select(Account.username)).all()
    engine.dispose()
    assert "cisco" in vias


def test_an_email_without_an_account_is_refused(page: Page, sso_server: AppServer) -> None:
    sso_sign_in(page, sso_server, "stranger")
    settle(page)
    expect(
        page.get_by_text("no vendor or administrator account here has that email")
    ).to_be_visible()
    expect(page.get_by_test_id("stSidebar")).not_to_contain_text(re.compile("signed in as", re.I))
    assert not any(c["name"] == COOKIE for c in page.context.cookies())
