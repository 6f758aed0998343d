"""The vendor's program page ("My program") through the app, on a directory with activity.

Signed in as the demo vendor (cisco, core.demo.accounts; the server runs with ATLAS_DEMO=1):

* open: from ``goto /my_program`` (a new Streamlit session, same signed-in cookie) until
  Streamlit is idle and the member scorecard's grid shows its header row;
* widget change: from a click on another scorecard group (Reporting, Wins, Money, ...) until
  Streamlit is idle and the scorecard's grid shows that group's headers — the rerun a vendor
  waits on for every widget on the page.
"""

from __future__ import annotations

from typing import Any

from bench.app_server import LOAD_TIMEOUT_MS, Sample, measured, new_page, summarise
from tests.e2e.conftest import SCRIPT_IDLE_SELECTOR, AppServer

VENDOR_LOGIN = ("cisco", "atlas-demo-vendor")
# The scorecard's groups and the headers its grid shows for each (tests/e2e/test_my_program.py).
GROUPS = {
    "Wins": ["Partner", "Win rate", "Won", "ROI"],
    "Money": ["Partner", "Funds", "ROI", "Won"],
    "Business": ["Partner", "Revenue", "Growth", "Staff"],
    "Membership": ["Partner", "Tier", "Since", "Shares"],
    "Reporting": ["Partner", "Leads", "Reported", "Reply (h)"],
}
SHOWN_JS = """([idle, headers]) => {
    if (document.querySelector(idle) === null) return false;
    return [...document.querySelectorAll('[data-testid="stDataFrame"]')].some(grid => {
        const shown = [...grid.querySelectorAll('th')].map(th => th.textContent.trim());
        return JSON.stringify(shown) === JSON.stringify(headers);
    });
}"""


def _wait_for_headers(page: Any, headers: list[str]) -> None:
    page.wait_for_function(
        SHOWN_JS, arg=[SCRIPT_IDLE_SELECTOR, headers], polling="raf", timeout=LOAD_TIMEOUT_MS
    )


def _open(page: Any, url: str) -> None:
    page.goto(url)
    page.get_by_role("heading", name="Member scorecard").wait_for(timeout=LOAD_TIMEOUT_MS)
    _wait_for_headers(page, GROUPS["Reporting"])  # the first group is the default


def _choose(page: Any, pid: int, group: str) -> Sample:
    """Click a group (a plain mouse click at a position found first: the time is the app's,
    not Playwright's actionability checks) and wait for its headers."""
    radio = page.get_by_test_id("stButtonGroup").get_by_role("radio", name=group)
    radio.scroll_into_view_if_needed()
    box = radio.bounding_box()

    def click_and_wait() -> None:
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        _wait_for_headers(page, GROUPS[group])

    return measured(pid, click_and_wait)[0]


def measure_program(
    browser: Any, assets: Any, server: AppServer, *, runs: int, changes: int
) -> dict[str, Any]:
    from tests.e2e.signed_in import sign_in

    pid = server.process.pid
    page = new_page(browser, assets)
    opens: list[Sample] = []
    changed: list[Sample] = []
    errors: list[str] = []
    try:
        sign_in(page, server, VENDOR_LOGIN)
        for i in range(runs + 1):  # the first open warms the page, not recorded
            sample, _ = measured(pid, lambda: _open(page, f"{server.url}/my_program"))
            if i:
                opens.append(sample)
            print(
                f"[bench] app program open {i}: {sample.wall_ms:.0f} ms "
                f"(server CPU {sample.cpu_ms:.0f} ms, RSS {sample.rss_mb} MB)",
                flush=True,
            )
        cycle = list(GROUPS)
        for i in range(changes):
            s = _choose(page, pid, cycle[i % len(cycle)])
            changed.append(s)
            print(
                f"[bench] app program change to {cycle[i % len(cycle)]}: {s.wall_ms:.0f} ms "
                f"(server CPU {s.cpu_ms:.0f} ms)",
                flush=True,
            )
    except Exception as exc:  # a timed-out run is reported, not hidden
        errors.append(f"{type(exc).__name__}: {str(exc)[:300]}")
        print(f"[bench] app program failed: {errors[-1]}", flush=True)
    finally:
        page.context.close()
    return {
        "path": "/my_program",
        "viewer": VENDOR_LOGIN[0],
        "open": summarise(opens),
        "widget_change": summarise(changed),
        "errors": errors,
    }
