"""Browser tests: Playwright (sync API) in Debian's Chromium against a real `streamlit run`.

Fixtures:
- `browser` (session): headless Chromium; missing -> skip locally, fail under CI.
- `page`: a fresh browser context per test (1280x900) whose network goes through the offline
  asset router of `tests.e2e.assets`.
- `app_server` (session): the app on a seeded temporary SQLite database.
- `start_app_server` (factory): a freshly started server per call, e.g. for deep links that
  must be the very first request a server sees.
- `fail_on_deprecation_warnings` (autouse): after every test, the logs of every server started
  so far are read on from where the last check stopped; a deprecation warning there (Streamlit's
  "Please replace ... will be removed after ...", a DeprecationWarning) fails the test.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.conftest import REPO_ROOT, copy_sqlite_database, require_or_skip
from tests.e2e.assets import OfflineAssets, prepare_offline_assets

CHROMIUM_ARGS = [
    "--no-sandbox",  # tests run as root in containers, where the sandbox cannot start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1280, "height": 900}
SEED_PARTNERS = 300
SERVER_START_TIMEOUT_S = 60.0
SCRIPT_IDLE_SELECTOR = '[data-testid="stApp"][data-test-script-state="notRunning"]'
SCREENSHOTS_DIR = REPO_ROOT / "screenshots"
# Deadlines for `poll_until` and `choose_option`: generous, because a busy 2-core machine is
# slow; a condition that holds ends the wait at once, so they cost nothing when all is well.
POLL_TIMEOUT_S = 30.0
POLL_INTERVAL_S = 0.1
OPTION_CLICK_TIMEOUT_MS = 5_000  # one attempt at a dropdown option, see choose_option

# Streamlit's own wording ("Please replace `x` with `y`. `x` will be removed after <date>.")
# never says "deprecated"; Python's warnings do ("DeprecationWarning", "is deprecated").
DEPRECATION = re.compile(r"deprecat|will be removed (?:after|in)|please replace `", re.IGNORECASE)
# A log record starts with Streamlit's timestamp; the lines up to the next one belong to it.
LOG_RECORD_START = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)? ?", re.MULTILINE)
LOG_NAMES = ("stdout.log", "stderr.log")

T = TypeVar("T")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Every test in this folder drives a browser: mark it, so `-m "not e2e"` needs no discipline.
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.e2e)


# ---- browser ---------------------------------------------------------------------------------


def find_chromium() -> str | None:
    """Debian's Chromium (`apt-get install chromium`); Playwright's own browsers need a download."""
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = find_chromium()
    require_or_skip(executable, "Chromium not found; install it with `apt-get install chromium`")
    # A cold Streamlit page can take a few seconds on a 2-core machine; 5 s is too tight.
    expect.set_options(timeout=20_000)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def offline_assets() -> OfflineAssets:
    """folium's CDN files from the local npm cache (fetched once into .cache/e2e-assets/)."""
    return prepare_offline_assets()


@pytest.fixture
def require_map_assets(offline_assets: OfflineAssets) -> OfflineAssets:
    """For tests that need a rendered map: Leaflet, markercluster and jQuery must be real."""
    require_or_skip(
        not offline_assets.missing_essentials,
        "offline copies of the map libraries are missing (is npm installed and the npm registry"
        f" reachable?): {offline_assets.missing_essentials}",
    )
    return offline_assets


@pytest.fixture
def page(browser: Browser, offline_assets: OfflineAssets) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT)
    context.route("**/*", offline_assets.handle_route)
    new_page = context.new_page()
    new_page.set_default_timeout(30_000)
    try:
        yield new_page
    finally:
        context.close()


def poll_until(
    probe: Callable[[], T], done: Callable[[T], bool], timeout_s: float = POLL_TIMEOUT_S
) -> T:
    """Call `probe` until `done(value)` holds or the deadline passes; return the last value.

    For values Playwright's `expect` cannot wait on (JavaScript state, files, the database).
    The caller still asserts on the returned value, so a wrong value fails with that value.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        value = probe()
        if done(value) or time.monotonic() >= deadline:
            return value
        time.sleep(POLL_INTERVAL_S)  # the polling interval, not a guess at how long to wait


def page_not_found_dialog(page: Page) -> Locator:
    return page.get_by_role("dialog").filter(has_text="Page not found")


def dismiss_page_not_found_dialogs(page: Page) -> None:
    """Close a "Page not found" dialog whenever one covers the page before an action or expect.

    Helpers that open a deep link on a fresh server used to check `is_visible()` once, which
    raced with the dialog's arrival. Playwright's locator handler runs before every action and
    auto-waiting assertion instead, whenever the dialog is there. Tests about the dialog itself
    (test_a_fresh_server_shows_no_page_not_found_dialog) must not install it.
    """
    page.add_locator_handler(page_not_found_dialog(page), lambda: page.keyboard.press("Escape"))


def choose_option(page: Page, select: Locator, option: str) -> None:
    """Pick `option` in a Streamlit selectbox and wait until the box shows it.

    A map component's first report reruns the page once, and that rerun closes a dropdown that
    is open at the time. So: open it and click the option; if the list closed under us, let
    the rerun finish and open it again, until a deadline. The value is then expected as usual.
    """
    wanted = page.get_by_role("option", name=option, exact=True)
    deadline = time.monotonic() + POLL_TIMEOUT_S
    while time.monotonic() < deadline:
        select.click()
        try:
            wanted.click(timeout=OPTION_CLICK_TIMEOUT_MS)
        except PlaywrightTimeoutError:
            wait_for_script_idle(page)
            continue
        break
    expect(select.get_by_role("combobox")).to_have_value(option)


def wait_for_script_idle(page: Page, timeout_ms: float = 30_000) -> None:
    """Wait until Streamlit reports that no script run is in progress.

    Right after an interaction the old "notRunning" state may still be showing for a moment:
    follow this with an `expect(...)` on the content you need rather than trusting it alone.
    """
    page.locator(SCRIPT_IDLE_SELECTOR).wait_for(state="attached", timeout=timeout_ms)


# ---- app server ------------------------------------------------------------------------------


@dataclass
class AppServer:
    url: str
    port: int
    database_url: str
    process: subprocess.Popen[bytes]
    log_dir: Path
    # How far each log has been checked for deprecation warnings, in bytes.
    checked: dict[str, int] = field(default_factory=dict)

    def new_deprecation_warnings(self) -> list[str]:
        """The deprecation warnings logged since the last call (each log record whole)."""
        found: list[str] = []
        for name in LOG_NAMES:
            log = self.log_dir / name
            if not log.exists():
                continue
            with log.open("rb") as handle:
                handle.seek(self.checked.get(name, 0))
                data = handle.read()
            self.checked[name] = self.checked.get(name, 0) + len(data)
            text = data.decode(errors="replace")
            starts = [m.start() for m in LOG_RECORD_START.finditer(text)]
            bounds = zip([0, *starts], [*starts, len(text)], strict=True)
            records = (text[start:end] for start, end in bounds)
            # Without the timestamp, so that repeats of one warning read as one.
            bare = (LOG_RECORD_START.sub("", r, count=1).strip() for r in records)
            found += [f"{name}: {r}" for r in bare if r and DEPRECATION.search(r)]
        return found

    def stderr_tail(self, chars: int = 6000) -> str:
        log = self.log_dir / "stderr.log"
        return log.read_text(errors="replace")[-chars:] if log.exists() else ""

    def stop(self) -> None:
        """Terminate the server and anything it started (its own process group)."""
        if self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)
        except ProcessLookupError:
            pass


# Every server the session started, for the deprecation check after each test.
LAUNCHED: list[AppServer] = []


def fail_if_deprecation_warnings(servers: list[AppServer]) -> None:
    found = [w for server in servers for w in server.new_deprecation_warnings()]
    if found:
        counts = Counter(found)
        pytest.fail(
            f"{len(found)} deprecation warning(s) in the app server's log (move to the current "
            "API; see tests/e2e/conftest.py):\n\n"
            + "\n\n".join(f"({n}x) {warning}" for warning, n in counts.items()),
            pytrace=False,
        )


@pytest.fixture(autouse=True)
def fail_on_deprecation_warnings() -> Iterator[None]:
    """Fail a test during which any app server logged a deprecation warning.

    Runs after the test's own fixtures are torn down (it is set up before them), so a server
    that `start_app_server` started and stopped for the test is read to its end as well.
    """
    yield
    fail_if_deprecation_warnings(LAUNCHED)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def seed_database(database_url: str, partners: int = SEED_PARTNERS) -> None:
    """Fill a database through the project's own CLI, as `make run` does."""
    env = {**os.environ, "DATABASE_URL": database_url}
    result = subprocess.run(
        [sys.executable, "-m", "core", "seed", "--partners", str(partners)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"`python -m core seed --partners {partners}` failed (exit {result.returncode}):\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-6000:]}"
        )


def _wait_until_healthy(server: AppServer, deadline: float) -> None:
    health = f"{server.url}/_stcore/health"
    last_error = "no answer yet"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"streamlit exited with code {server.process.returncode} before it was healthy."
                f"\n--- server stderr ---\n{server.stderr_tail()}"
            )
        try:
            # S310 warns about file:// and custom schemes; this URL is fixed http on loopback.
            with urllib.request.urlopen(health, timeout=2) as response:  # noqa: S310
                body = response.read().decode(errors="replace").strip()
            if body == "ok":
                return
            last_error = f"health answered {body!r}"
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            last_error = str(exc)
        time.sleep(POLL_INTERVAL_S)  # a polling interval, not a guess at start-up time
    raise RuntimeError(
        f"streamlit was not healthy within {SERVER_START_TIMEOUT_S:.0f} s ({last_error})."
        f"\n--- server stderr ---\n{server.stderr_tail()}"
    )


def launch_app_server(
    database_url: str, log_dir: Path, extra_env: Mapping[str, str] | None = None
) -> AppServer:
    """Start `streamlit run deploy/serve.py` (app.py, served as `make run` does) on a free loopback
    port and wait until it is healthy."""
    log_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1", **(extra_env or {})}
    port = _free_port()
    argv = [
        sys.executable, "-m", "streamlit", "run", "deploy/serve.py",
        "--server.headless", "true",
        "--server.port", str(port),
        # Loopback only: a test server has no business on the machine's network interfaces.
        "--server.address", "127.0.0.1",
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    with (log_dir / "stdout.log").open("wb") as out, (log_dir / "stderr.log").open("wb") as err:
        # Own session/process group, so teardown can end the server and any children by id.
        process = subprocess.Popen(
            argv, cwd=REPO_ROOT, env=env, stdout=out, stderr=err, start_new_session=True
        )
    server = AppServer(
        url=f"http://127.0.0.1:{port}",
        port=port,
        database_url=database_url,
        process=process,
        log_dir=log_dir,
    )
    LAUNCHED.append(server)
    try:
        _wait_until_healthy(server, time.monotonic() + SERVER_START_TIMEOUT_S)
    except BaseException:
        server.stop()
        raise
    return server


@pytest.fixture(scope="session")
def seeded_database_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeded SQLite file that no server touches; servers get copies of it."""
    path = tmp_path_factory.mktemp("e2e-db") / "template.sqlite"
    seed_database(_sqlite_url(path))
    return path


@pytest.fixture(scope="session")
def app_server(
    seeded_database_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AppServer]:
    """The app, shared by the session's tests, on its own copy of the seeded database."""
    workdir = tmp_path_factory.mktemp("e2e-app")
    database = workdir / "e2e.sqlite"
    copy_sqlite_database(seeded_database_template, database)
    server = launch_app_server(_sqlite_url(database), workdir / "logs")
    try:
        yield server
    finally:
        server.stop()
    fail_if_deprecation_warnings([server])  # anything logged after the last test's check


@pytest.fixture
def start_app_server(
    seeded_database_template: Path, tmp_path: Path
) -> Iterator[Callable[..., AppServer]]:
    """Factory: `start_app_server()` starts a fresh server (own database copy), stopped after
    the test. `database_url=` uses another database; `extra_env=` adds environment variables.
    """
    started: list[AppServer] = []

    def start(
        database_url: str | None = None, extra_env: Mapping[str, str] | None = None
    ) -> AppServer:
        workdir = tmp_path / f"app-{len(started)}"
        workdir.mkdir()
        if database_url is None:
            database = workdir / "e2e.sqlite"
            copy_sqlite_database(seeded_database_template, database)
            database_url = _sqlite_url(database)
        server = launch_app_server(database_url, workdir / "logs", extra_env)
        started.append(server)
        return server

    try:
        yield start
    finally:
        for server in started:
            server.stop()
