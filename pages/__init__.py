"""Streamlit glue shared by every page script: engine, read index, who is signed in.

It lives in ``pages/__init__.py`` because Streamlit never treats ``__init__.py`` as a
page, and every page must be able to run on its own (a deep link on a fresh server can
run a page file directly, skipping app.py: pages/parts/routing.py), so each page starts
with ``setup_page(...)``.
The UI layer is the only place that caches the engine (st.cache_resource); core stays
free of Streamlit.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from urllib.parse import urlencode

import streamlit as st
from sqlalchemy import Engine
from sqlmodel import Session

from core.accounts.sessions import COOKIE_NAME, resolve_session
from core.accounts.sign_in import SignInResult
from core.accounts.sign_in import sign_out as core_sign_out
from core.db import create_db_engine, is_directory_empty, session_scope
from core.demo.accounts import create_demo_accounts
from core.demo.generator import seed_demo_directory
from core.demo.safety import published_password_problem
from core.errors import is_database_unavailable
from core.migrations import SchemaError, ensure_current
from core.models import ROLE_ADMIN, ROLE_PARTNER, ROLE_VENDOR, AccountPublic, utc_now
from core.search.snapshot_build import snapshot_holder
from core.settings import Settings, SettingsError, get_settings
from pages.parts.errors import show_kept_input_again, stop_for_outage
from pages.parts.routing import leave_legacy_pages_mode

ROLE_LABELS = {ROLE_ADMIN: "Administrator", ROLE_VENDOR: "Vendor team", ROLE_PARTNER: "Partner"}
SESSION_KEY = "auth"  # {"session_id": …} of this tab's server-side session
HANDOFF_KEY = "auth_handoff"  # the /_atlas/session URL to send the browser to, once
HANDOFF_PATH = "/_atlas/session"
# Set by current_account for this run when the session could not be checked (database down).
SIGN_IN_UNAVAILABLE_KEY = "sign_in_unavailable"
PAGES_DIR = Path(__file__).resolve().parent


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
    """The in-memory read index of this process, kept current with the data version.

    With snapshots on (ATLAS_INDEX_SNAPSHOT_DIR), it starts from today's snapshot on disk
    (mapped, shared with the other processes of this machine) and full rebuilds run in a
    child process that writes the next snapshot, so this process's memory stays flat.
    """
    settings = get_settings()
    return snapshot_holder(
        engine=get_engine(), base=settings.index_snapshot_path, database_url=settings.database_url
    )


def current_account() -> AccountPublic | None:
    """The signed-in account, re-read from the database on every run.

    The browser's session cookie (set by deploy/serve.py's ``/_atlas/session``, read with
    ``st.context.cookies``) or this tab's own sign-in names a server-side session
    (core.accounts.sessions); it must be live and its account active on every run, so a
    sign-out elsewhere, a password change or a deactivation takes effect at the next action.
    """
    st.session_state.pop(SIGN_IN_UNAVAILABLE_KEY, None)  # said again below if still true
    auth = st.session_state.get(SESSION_KEY)
    token = None if auth else _cookie_token()
    if not auth and not token:
        return None
    try:
        with session_scope(get_engine()) as session:
            signed_in = resolve_session(
                session=session,
                now=utc_now(),
                token=token,
                session_id=auth["session_id"] if auth else None,
            )
    except Exception as exc:
        if not is_database_unavailable(exc):
            raise
        # The database is away: the page still renders (search answers from the index), as
        # for a visitor, and says why. The tab's session and the cookie are kept as they are,
        # so the user is signed in again at the first run after the database is back.
        st.session_state[SIGN_IN_UNAVAILABLE_KEY] = True
        return None
    if signed_in is None:
        st.session_state.pop(SESSION_KEY, None)
        if auth:  # this tab was signed in: say why it no longer is
            st.session_state["session_expired"] = True
        return None
    st.session_state[SESSION_KEY] = {"session_id": signed_in.session_id}
    return signed_in.account


def _cookie_token() -> str | None:
    try:
        token = st.context.cookies.get(COOKIE_NAME)
    except Exception:  # no request context (a bare script run): no cookie
        return None
    return token if isinstance(token, str) and token else None  # (AppTest gives a stand-in)


def sign_in_unavailable() -> bool:
    """Whether this run could not check who is signed in because the database is away."""
    return bool(st.session_state.get(SIGN_IN_UNAVAILABLE_KEY))


def current_session_id() -> int | None:
    auth = st.session_state.get(SESSION_KEY)
    return auth["session_id"] if auth else None


def client_address() -> str | None:
    """The browser's address as Streamlit saw it (for the sign-in throttle), if known."""
    try:
        address = st.context.ip_address
    except Exception:  # no request context
        return None
    return address if isinstance(address, str) else None


def page_names() -> frozenset[str]:
    """The URL names of the app's pages (each page file's stem): the only places ``next``
    may send a browser to, so a crafted sign-in link cannot redirect anywhere else."""
    return frozenset(p.stem for p in PAGES_DIR.glob("*.py") if p.stem != "__init__")


def _calling_page() -> str:
    """The page file whose run this is (the nearest caller in pages/, not in pages/parts/)."""
    frame = sys._getframe(1)
    while frame is not None:
        path = Path(frame.f_code.co_filename)
        if path.parent == PAGES_DIR and path.stem != "__init__":
            return path.stem
        frame = frame.f_back  # type: ignore[assignment]
    return ""


def safe_next(value: object) -> str | None:
    return value if isinstance(value, str) and value in page_names() else None


def remember_sign_in(result: SignInResult, next_page: str | None = None) -> None:
    """This tab is signed in at once; the browser is then sent through ``/_atlas/session``
    to get the session cookie (other tabs, reloads) and on to ``next_page``."""
    st.session_state[SESSION_KEY] = {"session_id": result.session_id}
    st.session_state.pop("session_expired", None)
    query = urlencode({"code": result.handoff_code, "next": safe_next(next_page) or "sign_in"})
    st.session_state[HANDOFF_KEY] = f"{HANDOFF_PATH}?{query}"


def send_pending_handoff() -> None:
    """Send the browser to ``/_atlas/session`` once after a sign-in (app.py, every run).

    ``st.html`` with JavaScript runs in the page itself, so it can navigate the tab."""
    url = st.session_state.pop(HANDOFF_KEY, None)
    if url:
        st.html(
            f"<script>window.location.replace({json.dumps(url)});</script>",
            unsafe_allow_javascript=True,
        )


def sign_out(*, everywhere: bool = False) -> None:
    """End this browser's session (or all of the account's) and forget it in this tab."""
    auth = st.session_state.pop(SESSION_KEY, None)
    if auth:
        with session_scope(get_engine()) as session:
            signed_in = resolve_session(
                session=session, now=utc_now(), session_id=auth["session_id"]
            )
            if signed_in is not None:
                core_sign_out(
                    session=session,
                    actor=signed_in.account,
                    session_id=auth["session_id"],
                    everywhere=everywhere,
                    now=utc_now(),
                )
    if _streamlit_identity():
        st.logout()  # single sign-on: forget the provider's identity too


def _streamlit_identity() -> bool:
    try:
        return bool(st.user.is_logged_in)
    except Exception:  # no auth configured
        return False


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
    if account is None and not sign_in_unavailable() and _streamlit_identity():
        from pages.parts.single_sign_on import adopt_single_sign_on  # it imports this module

        adopt_single_sign_on()
        account = current_account()
    send_pending_handoff()
    if roles:
        if account is None and sign_in_unavailable():
            st.title(f"{icon} {title}")
            # Not the sign-in prompt: signing in needs the database too, and the user is
            # still signed in. A form on this page keeps what was typed (st.stop).
            stop_for_outage()
        if account is not None:
            show_kept_input_again()
        if account is None:
            st.title(f"{icon} {title}")
            if st.session_state.pop("session_expired", False):
                st.warning("Your session has expired. Please sign in again.")
            st.info("This page is for signed-in users. Please sign in to continue.")
            # Back here after signing in: the page's own URL name (its file's stem).
            here = _calling_page()
            st.page_link(
                "pages/sign_in.py",
                label="Sign in",
                icon="🔑",
                query_params={"next": here} if safe_next(here) else None,
            )
            st.stop()
        if account.role not in roles:
            st.title(f"{icon} {title}")
            st.error("Your account does not have access to this page.")
            st.stop()
    st.title(f"{icon} {title}")
    return account
