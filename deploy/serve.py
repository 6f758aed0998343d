"""How Partner Atlas is served: app.py as a Streamlit ``st.App``, with one small middleware.

``streamlit run deploy/serve.py`` finds the ``app`` below and serves app.py with it (Streamlit's
ASGI mode); everything else is as ``streamlit run app.py``.

Why: Streamlit's browser code guesses the server's base path from the page's URL. On a deep link
such as ``/partner_profile?id=5`` it first tries ``/partner_profile`` as the base, asking for
``/partner_profile/_stcore/health`` and ``/partner_profile/_stcore/host-config``. Streamlit's
server answers those with a deliberate 404, so the browser then tries ``/`` and connects, but
the console shows two 404s on every deep-linked page (Streamlit 1.67: ``PD()`` in the frontend
bundle builds the candidates, ``_RESERVED_STATIC_PATH_SUFFIXES`` in
``web/server/starlette/starlette_static_routes.py`` makes the 404s).

The frontend takes its base from ``window.__streamlit.BACKEND_BASE_URL`` when a page sets it
before the bundle loads (the documented way for hosts that embed Streamlit). The middleware
puts that one line into the app's HTML page: the base is the site's root, where Partner Atlas is
always served (it sets no ``server.baseUrlPath``), so the browser tries no other and asks for
nothing that is not there. tests/e2e/test_access_deep_links.py fails when a 404 comes back.
"""

from __future__ import annotations

import contextlib
import sys
import warnings
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# `streamlit run deploy/serve.py` puts deploy/ on the path, not the project: the session route
# below needs core.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from deploy.session_route import SessionCookieRoute  # noqa: E402 - needs the path above

# st.login imports Authlib's Starlette client on first use, which warns that Authlib's own httpx
# module is deprecated: nothing this app can change (tests/e2e fail on deprecation warnings
# meant for the app's own API use). Imported here once, its warnings recorded and dropped
# (Authlib adds an "always" filter of its own, so an "ignore" filter would not hold); later
# imports are cached.
with warnings.catch_warnings(record=True), contextlib.suppress(ImportError):
    from authlib.integrations import starlette_client  # noqa: F401

# Runs before Streamlit's bundle (a module script, so it runs after this classic one).
BASE_URL_SCRIPT = (
    b"<script>window.__streamlit = Object.assign({}, window.__streamlit, "
    b'{BACKEND_BASE_URL: window.location.origin + "/"});</script>'
)
MARK = b"<script"  # inserted before the page's first script
# Paths that never answer with the app's page: assets, the server's API, components, media.
NOT_THE_PAGE = ("/static/", "/_stcore/", "/component/", "/media/", "/app/static/")


def asks_for_the_page(path: str) -> bool:
    """Whether a GET of ``path`` is answered with the app's HTML page (``/``, ``/my_leads``)."""
    last = path.rsplit("/", 1)[-1]
    return not path.startswith(NOT_THE_PAGE) and "." not in last


class RootBaseUrl:
    """Adds ``BASE_URL_SCRIPT`` to the app's HTML page, whatever page path it is sent for."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope.get("method") != "GET"
            or not asks_for_the_page(scope.get("path", ""))
        ):
            await self.app(scope, receive, send)  # assets stay compressed and untouched
            return
        # Plain bodies only: the page is small, and a compressed one could not be edited.
        headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() != b"accept-encoding"]
        scope = {**scope, "headers": headers}
        start: Message | None = None
        body: list[bytes] = []

        async def edit(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                content_type = dict(message.get("headers", [])).get(b"content-type", b"")
                if not content_type.startswith(b"text/html"):
                    await send(message)
                    return
                start = message
                return
            if start is None:
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            page = b"".join(body)
            if MARK in page:
                page = page.replace(MARK, BASE_URL_SCRIPT + MARK, 1)
            headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(page)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": page})

        await self.app(scope, receive, edit)


# Absolute: Streamlit resolves a relative path against this file's folder, not the project's.
APP_SCRIPT = PROJECT_ROOT / "app.py"
app = st.App(APP_SCRIPT, middleware=[Middleware(SessionCookieRoute), Middleware(RootBaseUrl)])
