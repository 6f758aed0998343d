"""AppTest helpers for the public pages: open a page by URL, read what it shows."""

from __future__ import annotations

from typing import Any

from streamlit.testing.v1 import AppTest

from tests.conftest import REPO_ROOT

TIMEOUT_S = 60


def open_page(page: str, **params: Any) -> AppTest:
    """Run app.py, then open ``pages/<page>`` with these URL parameters, as a link would."""
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=TIMEOUT_S).run()
    for name, value in params.items():
        at.query_params[name] = str(value)
    at.switch_page(f"pages/{page}").run()
    return at


def go_by_sidebar(at: AppTest, page: str) -> AppTest:
    """Open ``pages/<page>`` as the sidebar's menu does: a link without URL parameters."""
    at.query_params.clear()
    at.switch_page(f"pages/{page}").run()
    return at


def texts(at: AppTest) -> str:
    """Every piece of text the page shows, in one string, for 'does it say …' checks."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "text", "error",
                 "warning", "info", "success"):  # fmt: skip
        parts.extend(str(el.value) for el in getattr(at, kind))
    parts.extend(str(getattr(el.proto, "label", "")) for el in at.get("page_link"))
    parts.extend(str(el.label) for el in at.button)
    return "\n".join(parts)


# AppTest reports a page link's target as the URL path or as the file stem, depending on how
# the page was reached; tests compare URL paths.
_URL_PATHS = {
    "home": "home",
    "find_partners": "find",
    "team_builder": "teams",
    "regional_map": "map",
    "compare_partners": "compare",
    "partner_profile": "partner",
}


def link_target(link: Any) -> str:
    page = str(link.proto.page).rsplit("/", 1)[-1]
    return _URL_PATHS.get(page, page)


def links(at: AppTest) -> list[tuple[str, str]]:
    """(URL path, label) of every page link on the page."""
    return [(link_target(pl), str(pl.proto.label)) for pl in at.get("page_link")]


def assert_no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
