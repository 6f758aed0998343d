"""Streamlit glue shared by every page script: engine, read index, who is signed in.

It lives in ``pages/__init__.py`` because Streamlit never treats ``__init__.py`` as a
page, and every page must be able to run on its own (a deep link on a fresh server can
run a page file directly, skipping app.py: pages/parts/routing.py), so each page starts
with ``setup_page(...)``.
The UI layer is the only place that caches the engine (st.cache_resource); core stays
free of Streamlit.
"""

from __future__ import annotations

from datetime import datetime

import streamlit as st
from sqlalchemy import Engine
from sqlmodel import Session

from core.accounts.sign_in import load_session_account
from core.db import create_db_engine, is_directory_empty
from core.demo.accounts import create_demo_accounts
from core.demo.generator import seed_demo_directory
from core.demo.safety import published_password_problem
from core.migrations import SchemaError, ensure_current
from core.models import ROLE_ADMIN, ROLE_PARTNER, ROLE_VENDOR, AccountPublic, utc_now
from core.search.index import ReadIndexHolder
from core.settings import Settings, SettingsError, get_settings
from pages.parts.routing import leave_legacy_pages_mode

ROLE_LABELS = {ROLE_ADMIN: "Administrator", ROLE_VENDOR: "Vendor team", ROLE_PARTNER: "Partner"}
SESSION_KEY = "auth"


def settings_or_stop() -> Settings:
    """The settings, or a one-line message naming the bad environment variable (no traceback)."""
    try:
        return get_settings()
    except SettingsError as exc:
        st.error(f"Partner Atlas cannot start: {exc}.")
        st.stop()


def get_engine() -> Engine:
    """The one engine of this process; fills an empty directory with the demo data once
    (demo mode only), and refuses to go on while the schema is not this release's or a
    published demo password is in use."""
    settings = settings_or_stop()  # outside the cached function: a cached st.error would replay
    try:
        # Not cached when it raises: once the database is migrated, the next run goes on.
        engine = _open_engine()
    except SchemaError as exc:  # behind or ahead: the command to run, not a traceback
        st.error(f"Partner Atlas cannot start: {exc}")
        st.stop()
    if not settings.demo:
        try:
            _no_published_demo_password(settings.database_url)
        except DemoPasswordInUse as exc:
            st.error(f"Partner Atlas will not start: {exc}.", icon="🔒")
            st.stop()
    return engine


class DemoPasswordInUse(Exception):
    pass


@st.cache_resource(show_spinner=False)
def _no_published_demo_password(database_url: str) -> bool:
    """Checked once per process and database (five argon2 checks at most); a refusal raises,
    and Streamlit does not cache exceptions, so a fixed password is seen on the next run."""
    with Session(_open_engine()) as session:
        problem = published_password_problem(session)
    if problem:
        raise DemoPasswordInUse(problem)
    return True


@st.cache_resource(show_spinner=False)
def _open_engine() -> Engine:
    settings = get_settings()
    engine = create_db_engine(settings.database_url)
    try:
        # The app never migrates (several servers may start at once): it only checks.
        ensure_current(engine)
    except SchemaError:
        engine.dispose()
        raise
    with Session(engine) as session:
        empty = is_directory_empty(session)
    if empty and settings.demo and settings.demo_partners > 0:
        count = settings.demo_partners
        with st.spinner(f"First start: creating a demo directory of {count:,} partners…"):
            seed_demo_directory(engine=engine, partners=count, seed=settings.demo_seed)
        create_demo_accounts(engine=engine)
    return engine


@st.cache_resource(show_spinner=False)
def get_index_holder():  # type: ignore[no-untyped-def]
    """The in-memory read index of this process, rebuilt when the data version changes."""
    return ReadIndexHolder(engine=get_engine())


def current_account() -> AccountPublic | None:
    """The signed-in account, re-read from the database on every run.

    Re-reading means a deactivated account or an expired session stops working at once,
    not at the next sign-in.
    """
    auth = st.session_state.get(SESSION_KEY)
    if not auth:
        return None
    with Session(get_engine()) as session:
        account = load_session_account(
            session=session,
            account_id=auth["account_id"],
            signed_in_at=auth["signed_in_at"],
            last_seen_at=auth["last_seen_at"],
            now=utc_now(),
        )
    if account is None:
        st.session_state.pop(SESSION_KEY, None)
        st.session_state["session_expired"] = True
        return None
    auth["last_seen_at"] = utc_now()
    return account


def remember_sign_in(account: AccountPublic) -> None:
    now: datetime = utc_now()
    st.session_state[SESSION_KEY] = {
        "account_id": account.id,
        "signed_in_at": now,
        "last_seen_at": now,
    }
    st.session_state.pop("session_expired", None)


def keep_signed_in_after_own_password_change() -> None:
    """A password change ends every session signed in before it; this one made the change,
    so it counts as signed in from now on."""
    auth = st.session_state.get(SESSION_KEY)
    if auth:
        auth["signed_in_at"] = utc_now()


def sign_out() -> None:
    st.session_state.pop(SESSION_KEY, None)


def setup_page(title: str, icon: str, *, roles: tuple[str, ...] = ()) -> AccountPublic | None:
    """First call of every page: title, icon and the access check.

    With ``roles`` the page is restricted: an anonymous visitor gets a sign-in prompt and
    the page stops before any data is read; a signed-in user of another role is refused.
    """
    leave_legacy_pages_mode()  # a first deep link on a fresh server: route it through app.py
    # Later calls override app.py's, so the browser tab names the page.
    st.set_page_config(page_title=f"{title} · Partner Atlas", page_icon=icon, layout="wide")
    settings_or_stop()
    account = current_account()
    if roles:
        if account is None:
            st.title(f"{icon} {title}")
            if st.session_state.pop("session_expired", False):
                st.warning("Your session has expired. Please sign in again.")
            st.info("This page is for signed-in users. Please sign in to continue.")
            st.page_link("pages/sign_in.py", label="Sign in", icon="🔑")
            st.stop()
        if account.role not in roles:
            st.title(f"{icon} {title}")
            st.error("Your account does not have access to this page.")
            st.stop()
    st.title(f"{icon} {title}")
    return account
