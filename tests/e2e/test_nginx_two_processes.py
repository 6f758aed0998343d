"""Two app processes behind nginx (issue 15 item 2), as deploy/ describes the deployment.

PostgreSQL, two `streamlit run deploy/serve.py` processes, the worker and nginx with the
configuration of deploy/nginx/render.py (tests/e2e/cluster.py starts them). A partner signs
in through nginx and renames its company in one tab; a visitor's tab, pinned by nginx to the
OTHER process, finds the new name in a search within 2 s of the save (the issue's bound).

Which process served what is proven, not assumed: every response nginx sends names the
process in X-Atlas-Upstream, and nginx's access log names it for each request, WebSockets
included (logged when they close), with the browser's pin cookie and its user agent (one
per tab), so a tab whose WebSocket went to the other process would show. Last, a process
is stopped: its browsers move to the other one and are pinned there.
"""

from __future__ import annotations

import re
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from http.cookiejar import CookieJar

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Response, expect

from tests.e2e.assets import OfflineAssets
from tests.e2e.cluster import Cluster, running_cluster
from tests.e2e.conftest import VIEWPORT, dismiss_page_not_found_dialogs, poll_until
from tests.e2e.signed_in import settle, sign_in

PARTNER = ("partner1", "atlas-demo-partner1")  # README's demo partner account
TOKEN = "Quasarwick"  # a word no demo partner has
VISIBLE_WITHIN_MS = 2_000  # issue 15 item 2: the edit shows in the other process within 2 s
PIN_COOKIE = "atlas_upstream"
NEW_TABS_TRIED = 4  # round robin alternates; a few new browsers surely reach both processes
FIRST_PAGE_MS = 90_000
WEBSOCKET = re.compile(r'"GET /_stcore/stream[^"]*" 101 ')


@dataclass
class Tab:
    """A browser (context) with one page, and the process each nginx response named."""

    name: str
    context: BrowserContext
    page: Page
    origin: str
    served_by: list[tuple[str, str | None]] = field(default_factory=list)

    def record(self, response: Response) -> None:
        if response.url.startswith(self.origin):
            self.served_by.append((response.url, response.headers.get("x-atlas-upstream")))

    def pin(self) -> str | None:
        pins = [c["value"] for c in self.context.cookies() if c["name"] == PIN_COOKIE]
        return pins[0] if pins else None


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """One deployment for this module's tests; the last one stops a process of it."""
    with running_cluster(tmp_path_factory.mktemp("cluster")) as running:
        yield running


@pytest.fixture
def open_tab(
    browser: Browser, offline_assets: OfflineAssets, cluster: Cluster
) -> Iterator[Callable[[str], Tab]]:
    """Factory: `open_tab(name)` is a new browser (context) whose user agent names the tab in
    nginx's log; every one is closed after the test (which closes its WebSockets)."""
    opened: list[BrowserContext] = []

    def open_one(name: str) -> Tab:
        probe = browser.new_page()
        agent = f"{probe.evaluate('navigator.userAgent')} atlas-tab/{name}"
        probe.close()
        context = browser.new_context(viewport=VIEWPORT, user_agent=agent)
        opened.append(context)
        context.route("**/*", offline_assets.handle_route)
        page = context.new_page()
        page.set_default_timeout(30_000)
        tab = Tab(name, context, page, cluster.nginx.url)
        page.on("response", tab.record)
        dismiss_page_not_found_dialogs(page)
        return tab

    try:
        yield open_one
    finally:
        for context in opened:
            context.close()


def open_search(tab: Tab) -> None:
    tab.page.goto(f"{tab.origin}/find_partners")
    # A process's first page imports and builds everything: slow on a busy 2-core machine.
    expect(tab.page.get_by_role("textbox", name="Keyword")).to_be_visible(timeout=FIRST_PAGE_MS)
    settle(tab.page)


def search_keyword(tab: Tab, keyword: str) -> None:
    box = tab.page.get_by_role("textbox", name="Keyword")
    box.fill(keyword)
    box.press("Enter")


def websocket_processes(cluster: Cluster, tab: Tab) -> list[str]:
    """The processes nginx sent this tab's WebSockets to (from its access log)."""
    agent = f"atlas-tab/{tab.name}"
    lines = [
        line
        for line in cluster.nginx.access_log_lines()
        if WEBSOCKET.search(line) and agent in line
    ]
    return [m.group(1) for line in lines if (m := re.search(r"served_by=(\S*)", line))]


def test_an_edit_through_one_process_shows_in_a_search_of_the_other(
    open_tab: Callable[[str], Tab], cluster: Cluster
) -> None:
    front = replace(cluster.apps[0], url=cluster.nginx.url)  # sign_in needs only the URL
    editor = open_tab("editor")
    editor.page.goto(f"{front.url}/sign_in")
    expect(editor.page.get_by_label("Username")).to_be_visible(timeout=FIRST_PAGE_MS)
    editor_process = editor.pin()
    assert editor_process in cluster.nginx.names, f"no pin after the first page: {editor_process}"

    # New browsers are spread over the processes: open some until one lands on the other.
    visitor: Tab | None = None
    for i in range(NEW_TABS_TRIED):
        candidate = open_tab(f"visitor{i}")
        open_search(candidate)
        if candidate.pin() not in (None, editor_process):
            visitor = candidate
            break
        candidate.context.close()
    assert visitor is not None, f"{NEW_TABS_TRIED} new browsers all went to {editor_process}"
    visitor_process = visitor.pin()
    search_keyword(visitor, TOKEN.lower())
    settle(visitor.page)
    renamed = visitor.page.get_by_role("link", name=re.compile(TOKEN, re.IGNORECASE))
    expect(renamed).to_have_count(0)  # nobody has the word yet

    sign_in(editor.page, front, PARTNER)
    editor.page.goto(f"{front.url}/my_profile")
    name_box = editor.page.get_by_label("Company name")
    expect(name_box).to_be_visible(timeout=FIRST_PAGE_MS)
    settle(editor.page)
    name_box.fill(f"{name_box.input_value()} {TOKEN}")
    editor.page.get_by_role("button", name="Save profile").click()
    expect(editor.page.get_by_text("Saved. Changed: Company name.")).to_be_visible()
    saved_at = time.monotonic()

    search_keyword(visitor, TOKEN)  # another spelling: a new value, so the search runs again
    expect(renamed.first).to_be_visible(timeout=VISIBLE_WITHIN_MS)
    visible_after = time.monotonic() - saved_at
    assert visible_after <= VISIBLE_WITHIN_MS / 1000, f"visible after {visible_after:.2f} s"
    print(f"the edit in {editor_process} showed in {visitor_process} after {visible_after:.2f} s")

    # Every response each tab got came from its own process, the session route's included.
    for tab, process in ((editor, editor_process), (visitor, visitor_process)):
        wrong = [(url, by) for url, by in tab.served_by if by != process]
        assert tab.served_by and not wrong, f"{tab.name} expected {process}: {wrong[:5]}"
        assert tab.pin() == process
    assert any("/_atlas/session" in url for url, _ in editor.served_by)
    session = [c for c in editor.context.cookies() if c["name"] == "atlas_session"]
    assert session and session[0]["httpOnly"], session
    assert cluster.worker.process.poll() is None, cluster.worker.log_tail()

    # The WebSockets (Streamlit's session, where the save and the search ran): nginx logs
    # each when it closes.
    editor.context.close()
    visitor.context.close()
    for tab, process in ((editor, editor_process), (visitor, visitor_process)):
        sockets = poll_until(lambda tab=tab: websocket_processes(cluster, tab), bool)
        assert sockets, f"no WebSocket of {tab.name} in nginx's log"
        assert set(sockets) == {process}, f"{tab.name}'s WebSockets went to {sockets}"


def test_when_a_process_stops_its_browsers_move_to_another_and_are_pinned_there(
    cluster: Cluster,
) -> None:
    # Runs last in this module: it stops one of the cluster's processes.
    jar = CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def get(path: str) -> tuple[str | None, list[str]]:
        """The process that answered, and the pin cookies the answer set (Streamlit sets its
        own cookies too)."""
        with browser.open(f"{cluster.nginx.url}{path}", timeout=30) as response:
            assert response.status == 200
            cookies = response.headers.get_all("Set-Cookie") or []
            pins = [c for c in cookies if c.startswith(f"{PIN_COOKIE}=")]
            return response.headers["X-Atlas-Upstream"], pins

    first, cookies = get("/_stcore/health")
    assert first in cluster.nginx.names
    assert [c.split(";")[0] for c in cookies] == [f"{PIN_COOKIE}={first}"], cookies
    assert get("/_stcore/health") == (first, [])  # pinned: the same process, no new pin

    cluster.app(first).stop()
    moved, cookies = get("/_stcore/health")
    assert moved in cluster.nginx.names and moved != first
    assert [c.split(";")[0] for c in cookies] == [f"{PIN_COOKIE}={moved}"], cookies
    assert get("/_stcore/health") == (moved, [])
