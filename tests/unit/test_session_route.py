"""deploy/session_route.py: the cookie hand-over only ever redirects to one of the app's pages."""

from __future__ import annotations

import pytest

from deploy.session_route import safe_next


@pytest.mark.parametrize("page", ["my_leads", "account", "sign_in", "home"])
def test_an_app_page_is_where_the_browser_lands(page: str) -> None:
    assert safe_next(page) == page


@pytest.mark.parametrize(
    "asked",
    ["", "https://evil.example/", "//evil.example", "../etc/passwd", "__init__", "nope", "a" * 500],
)
def test_anything_else_lands_on_the_sign_in_page(asked: str) -> None:
    assert safe_next(asked) == "sign_in"
