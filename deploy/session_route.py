"""``/_atlas/session``: where a browser trades a one-time sign-in code for its HttpOnly session
cookie (core.accounts.sessions explains why the cookie is set here and not from a page).

``GET /_atlas/session?code=<one-time code>&next=<page>`` → 303 to ``/<page>`` with
``Set-Cookie: atlas_session=<token>; HttpOnly; SameSite=Lax; Path=/`` (``Secure`` when the
request came over https, directly or through a proxy saying ``X-Forwarded-Proto: https``).
A used, unknown or expired code clears the cookie and goes to the sign-in page. ``next``
must be one of the app's page names (no open redirect: never a URL, never another host).
The cookie has no Max-Age: it lives while the browser runs; the session row's sliding expiry
and its end (sign-out, password change, deactivation) decide what it is worth.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from core.accounts.sessions import COOKIE_NAME, redeem_handoff
from core.db import create_db_engine, session_scope
from core.models import utc_now
from core.settings import get_settings

ROUTE = "/_atlas/session"
PAGES_DIR = Path(__file__).resolve().parent.parent / "pages"
PAGE_NAME = re.compile(r"^[a-z_]{1,60}$")


@cache
def _engine() -> Engine:
    return create_db_engine(get_settings().database_url)


def safe_next(value: str) -> str:
    """The page to land on: a page of the app's pages folder, else the sign-in page."""
    if PAGE_NAME.match(value) and value != "__init__" and (PAGES_DIR / f"{value}.py").is_file():
        return value
    return "sign_in"


def _redeem(code: str) -> str | None:
    with session_scope(_engine()) as session:
        return redeem_handoff(session=session, code=code, now=utc_now())


def _is_https(scope: Scope) -> bool:
    headers = dict(scope.get("headers", []))
    forwarded = headers.get(b"x-forwarded-proto", b"").decode(errors="replace").lower()
    return scope.get("scheme") == "https" or forwarded.split(",")[0].strip() == "https"


class SessionCookieRoute:
    """Answers ``/_atlas/session`` itself; everything else goes on to Streamlit."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") != ROUTE:
            await self.app(scope, receive, send)
            return
        query = parse_qs(scope.get("query_string", b"").decode(errors="replace"))
        code = (query.get("code") or [""])[0]
        token = await run_in_threadpool(_redeem, code) if code else None
        page = safe_next((query.get("next") or [""])[0])
        if token is None:
            response = RedirectResponse("/sign_in", status_code=303)
            response.delete_cookie(COOKIE_NAME, path="/")
        else:
            response = RedirectResponse(f"/{page}", status_code=303)
            response.set_cookie(
                COOKIE_NAME,
                token,
                path="/",
                httponly=True,
                samesite="lax",
                secure=_is_https(scope),
            )
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        await response(scope, receive, send)
