"""A profile save through the app, until another browser session's search shows it.

Session A is the demo partner (partner1, core.demo.accounts) on My profile; session B is an
anonymous visitor on Find partners searching for a word no partner has (``?q=<word>``, so
"0 partners match"). Each run, untimed: A opens My profile afresh and types a new such word
at the end of its description. Timed from the click on "Save profile":

* saved: until A's page shows the success message and Streamlit is idle there;
* visible elsewhere: until B's search, rerun again and again (Streamlit's "r" shortcut, one
  rerun after the other, no pause), counts 1 partner. B starts rerunning once A has shown the
  message, so this is the time a visitor searching just after the save waits, at the
  resolution of one of B's reruns.

Both with the server's CPU time over the same span (everything the save set off: the write,
the index catching up, B's reruns) and its RSS afterwards.
"""

from __future__ import annotations

import random
import string
import time
from typing import Any

from bench.app_server import (
    LOAD_TIMEOUT_MS,
    Sample,
    measured,
    new_page,
    server_cpu_s,
    server_memory_mb,
    summarise,
    wait_idle,
)
from tests.e2e.conftest import SCRIPT_IDLE_SELECTOR, AppServer

PARTNER_LOGIN = ("partner1", "atlas-demo-partner1")
COUNT = ".st-key-find_result_count"
# Counts the script runs that have finished since the page loaded.
COUNT_RUNS_JS = """(idle) => {
    window.__benchRuns = 0;
    const app = document.querySelector('[data-testid="stApp"]');
    new MutationObserver(() => {
        if (document.querySelector(idle) !== null) window.__benchRuns += 1;
    }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""
SAVED_JS = """(idle) => document.querySelector(idle) !== null
    && document.querySelector('[data-testid="stAlertContentSuccess"]') !== null"""


def _word(rng: random.Random) -> str:
    return "zqb" + "".join(rng.choice(string.ascii_lowercase) for _ in range(10))


def _open_search(page: Any, url: str, word: str) -> str:
    page.goto(f"{url}/find_partners?q={word}")
    page.locator(COUNT).wait_for(timeout=LOAD_TIMEOUT_MS)
    wait_idle(page)
    page.evaluate(COUNT_RUNS_JS, SCRIPT_IDLE_SELECTOR)
    return str(page.locator(COUNT).inner_text())


def _rerun_until_found(page: Any, deadline_s: float = 600.0) -> int:
    """Rerun B's script until its count shows one partner; returns the reruns it took."""
    reruns = 0
    deadline = time.monotonic() + deadline_s
    while not page.locator(COUNT).inner_text().startswith("1 partner"):
        if time.monotonic() > deadline:
            raise TimeoutError("the saved word never showed in the other session's search")
        before = page.evaluate("() => window.__benchRuns")
        page.locator("body").press("r")
        page.wait_for_function(f"() => window.__benchRuns > {before}", timeout=LOAD_TIMEOUT_MS)
        reruns += 1
    return reruns


def _type_word(page: Any, url: str, word: str) -> None:
    page.goto(f"{url}/my_profile")
    description = page.get_by_label("Description", exact=True)
    description.wait_for(timeout=LOAD_TIMEOUT_MS)
    wait_idle(page)
    description.fill(f"{description.input_value()} {word}"[-1900:])


def measure_profile_save(
    browser: Any, assets: Any, server: AppServer, *, runs: int
) -> dict[str, Any]:
    from tests.e2e.signed_in import sign_in

    pid = server.process.pid
    rng = random.Random(17)
    editor, visitor = new_page(browser, assets), new_page(browser, assets)
    saved: list[Sample] = []
    visible: list[Sample] = []
    reruns: list[int] = []
    errors: list[str] = []
    try:
        sign_in(editor, server, PARTNER_LOGIN)
        for i in range(runs + 1):  # the first save warms the page and the write path
            word = _word(rng)
            shown = _open_search(visitor, server.url, word)
            assert shown.startswith("0 partners"), shown
            _type_word(editor, server.url, word)
            save = editor.get_by_role("button", name="Save profile")
            save.scroll_into_view_if_needed()  # a click outside the viewport does nothing
            box = save.bounding_box()

            def click_and_confirm(box: Any = box) -> None:
                editor.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
                editor.wait_for_function(
                    SAVED_JS, arg=SCRIPT_IDLE_SELECTOR, polling="raf", timeout=LOAD_TIMEOUT_MS
                )

            cpu_before, started = server_cpu_s(pid), time.perf_counter()
            saved_sample, _ = measured(pid, click_and_confirm)
            took = _rerun_until_found(visitor)
            wall_ms = (time.perf_counter() - started) * 1000
            cpu_ms = (server_cpu_s(pid) - cpu_before) * 1000
            seen = Sample(round(wall_ms, 1), round(cpu_ms, 1), server_memory_mb(pid)["rss_mb"])
            if i:
                saved.append(saved_sample)
                visible.append(seen)
                reruns.append(took)
            print(
                f"[bench] app profile save {i}: saved {saved_sample.wall_ms:.0f} ms, visible in "
                f"another session {seen.wall_ms:.0f} ms after {took} rerun(s) (server CPU "
                f"{seen.cpu_ms:.0f} ms, RSS {seen.rss_mb} MB)",
                flush=True,
            )
    except Exception as exc:  # a timed-out run is reported, not hidden
        errors.append(f"{type(exc).__name__}: {str(exc)[:300]}")
        print(f"[bench] app profile save failed: {errors[-1]}", flush=True)
    finally:
        editor.context.close()
        visitor.context.close()
    return {
        "saved": summarise(saved),
        "visible_in_other_session": summarise(visible),
        "other_session_reruns": reruns,
        "errors": errors,
    }
