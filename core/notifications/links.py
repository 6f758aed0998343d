"""Absolute links for emails: a message is read outside the app, so every link names the
app's public address (ATLAS_BASE_URL) and its parameters are URL-encoded."""

from __future__ import annotations

from urllib.parse import urlencode

from core.settings import get_settings


def absolute_url(page: str, **params: str | int) -> str:
    """``absolute_url("partner_profile", id=5)`` → ``https://atlas.example/partner_profile?id=5``."""
    base = get_settings().base_url
    path = page.strip("/")
    query = urlencode({key: str(value) for key, value in params.items()})
    return f"{base}/{path}" + (f"?{query}" if query else "")
