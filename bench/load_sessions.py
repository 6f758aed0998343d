"""The client side of bench/load.py: N browser sessions changing filters at once.

One headless Chromium, one browser context per session (a context is a separate cookie jar and
WebSocket, so Streamlit sees N sessions), all driven from one asyncio loop: the client costs
one browser and one Python thread, not N of each. Each session opens the search, then changes
a filter, waits until the results are rendered, pauses for a think time and changes the next —
the same changes as bench/browser_filter.py (tick/untick needs, change the radius).

Timing of one change: from the click (or the Enter that commits a radius) until Streamlit
reports no script run in progress *and* the results count differs from the one before. The
count is polled every POLL_MS in the page (not on every animation frame: with 50 pages that
would cost the shared 2 CPUs more than the server). An error is a change that did not render
within CHANGE_TIMEOUT_MS, or a page showing an exception or Streamlit's connection error; the
session then reloads its page and starts the cycle over (the reloaded page is back at the
start). A radius change types the value, waits until the number input holds it as an edit
("Press Enter to apply") and only then times the Enter (see ``_radius``). Radius changes that
"never rendered" had two causes: the driver's (a page reopened after an error went on
mid-cycle and typed the radius the box already showed: no run, fixed here), and the app's
(under load some sessions' searches lost their place and fell back to level 1 — the URL in
the error shows it — so a radius change cannot change the count; not fixed yet).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

from tests.e2e.conftest import CHROMIUM_ARGS, SCRIPT_IDLE_SELECTOR, find_chromium

COUNT = ".st-key-find_result_count"
POLL_MS = 20
CHANGE_TIMEOUT_MS = 60_000
LOAD_TIMEOUT_MS = 300_000
PROBLEM = '[data-testid="stException"], [data-testid="stConnectionStatus"]'
RENDERED_JS = """([idle, count, before]) => {
    const app = document.querySelector(idle);
    const shown = document.querySelector(count);
    return app !== null && shown !== null && shown.innerText !== before;
}"""
# Anything but the server under test is cut off: no CDN, fonts or telemetry reach the network.
NOT_LOCAL = re.compile(r"^(?!https?://127\.0\.0\.1[:/])")


@dataclass
class SessionResult:
    samples_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    first_load_s: float = 0.0


@dataclass(frozen=True)
class Plan:
    url: str
    start_path: str
    warmup: int  # changes per session before the measured window
    changes: int  # measured changes per session
    think_s: tuple[float, float]  # uniform pause between changes
    ramp_s: float  # sessions open their page this far apart


async def _toggle(page: Any, label: str) -> Callable[[], Awaitable[None]]:
    target = page.get_by_text(label, exact=True)
    await target.scroll_into_view_if_needed()
    box = await target.bounding_box()

    async def commit() -> None:
        await page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)

    return commit


async def _radius(page: Any, km: int) -> Callable[[], Awaitable[None]]:
    """Type ``km`` and, before the timed Enter, wait until the value has landed.

    Streamlit's number input applies a typed value on Enter only when its own (React) state
    holds it as an edit ("dirty", shown as "Press Enter to apply"). On a starved browser the
    Enter could reach the box before that render; and a box that already shows ``km`` has
    nothing to apply, so Enter starts no run and the change "never renders". Both were
    the driver's, not the app's: here the box must show ``km`` as a pending edit first, and
    after Enter the edit must be gone (applied) before the results are awaited.
    """
    box = page.get_by_role("spinbutton", name="Within (km)")
    if await box.input_value() == str(km):
        raise RuntimeError(f"the radius box already shows {km}: the cycle is out of step")
    await box.fill(str(km))
    widget = page.get_by_test_id("stNumberInput").filter(has=box)
    pending = widget.get_by_test_id("InputInstructions").filter(has_text="Enter")
    await pending.wait_for(state="visible", timeout=CHANGE_TIMEOUT_MS)
    if await box.input_value() != str(km):
        raise RuntimeError(f"the radius box lost the typed {km} before Enter")

    async def commit() -> None:
        await box.press("Enter")
        await pending.wait_for(state="detached", timeout=CHANGE_TIMEOUT_MS)

    return commit


CYCLE: list[tuple[str, Callable[[Any], Awaitable[Callable[[], Awaitable[None]]]]]] = [
    ("tick Cloud", lambda p: _toggle(p, "Cloud")),
    ("tick Managed IT", lambda p: _toggle(p, "Managed IT")),
    ("untick Cloud", lambda p: _toggle(p, "Cloud")),
    ("radius 150 km", lambda p: _radius(p, 150)),
    ("untick Managed IT", lambda p: _toggle(p, "Managed IT")),
    ("radius 80 km", lambda p: _radius(p, 80)),
]


async def _open(page: Any, plan: Plan) -> float:
    started = time.perf_counter()
    await page.goto(plan.url + plan.start_path, timeout=LOAD_TIMEOUT_MS)
    await page.locator(SCRIPT_IDLE_SELECTOR).wait_for(state="attached", timeout=LOAD_TIMEOUT_MS)
    await page.locator(COUNT).wait_for(timeout=LOAD_TIMEOUT_MS)
    return time.perf_counter() - started


async def _one_change(page: Any, step: int) -> float:
    _, prepare = CYCLE[step % len(CYCLE)]
    commit = await prepare(page)
    before = await page.locator(COUNT).inner_text()
    started = time.perf_counter()
    await commit()
    await page.wait_for_function(
        RENDERED_JS,
        arg=[SCRIPT_IDLE_SELECTOR, COUNT, before],
        polling=POLL_MS,
        timeout=CHANGE_TIMEOUT_MS,
    )
    elapsed_ms = (time.perf_counter() - started) * 1000
    if await page.locator(PROBLEM).count():
        raise RuntimeError("the page shows an exception or a connection error")
    return elapsed_ms


async def _session(
    browser: Any, plan: Plan, index: int, loaded: asyncio.Barrier, measured: asyncio.Barrier
) -> SessionResult:
    result = SessionResult()
    rng = random.Random(index)  # the same pauses in every run
    await asyncio.sleep(index * plan.ramp_s)
    # Reduced motion: Streamlit's spinners and transitions would cost the shared CPUs frames
    # that no session waits for.
    context = await browser.new_context(
        viewport={"width": 1280, "height": 900}, reduced_motion="reduce"
    )
    await context.route(NOT_LOCAL, lambda route: route.abort("blockedbyclient"))
    page = await context.new_page()
    step = 0

    async def run_changes(count: int, record: bool) -> None:
        nonlocal step
        for _ in range(count):
            await asyncio.sleep(rng.uniform(*plan.think_s))
            try:
                elapsed = await _one_change(page, step)
                if record:
                    result.samples_ms.append(elapsed)
            except Exception as exc:  # every failure is a counted error
                if record:
                    seen = await _state(page)
                    result.errors.append(f"{CYCLE[step % len(CYCLE)][0]}: {exc} {seen}"[:400])
                await _reopen(page, plan)
                # The reopened page shows START_PATH again, the state the cycle starts from:
                # going on mid-cycle would type a radius the box already shows (no run, a
                # second error) and tick what is already ticked.
                step = (step // len(CYCLE) + 1) * len(CYCLE) - 1
            step += 1

    try:
        result.first_load_s = await _open(page, plan)
        await run_changes(plan.warmup, record=False)
    except Exception as exc:  # a session that cannot open counts
        result.errors.append(f"open: {exc}"[:300])
    await loaded.wait()  # the measured window starts when every session is open and warm
    await run_changes(plan.changes, record=True)
    await measured.wait()
    await context.close()
    return result


async def _state(page: Any) -> str:
    """What the page showed when a change failed: the radius box, the count, the URL."""
    try:
        radius = await page.get_by_role("spinbutton", name="Within (km)").input_value(timeout=2000)
        count = await page.locator(COUNT).inner_text(timeout=2000)
        idle = await page.locator(SCRIPT_IDLE_SELECTOR).count()
    except Exception as exc:  # the page is gone or busy: say so
        return f"(page state unreadable: {type(exc).__name__})"
    return f"(radius box {radius!r}, count {count!r}, idle {bool(idle)}, url {page.url!r})"


async def _reopen(page: Any, plan: Plan) -> None:
    with contextlib.suppress(Exception):  # the next change counts the error again
        await _open(page, plan)


async def _prime(browser: Any, plan: Plan, url: str) -> None:
    """The home page, then the search once: a fresh server's first deep link shows "Page not
    found" over the page (Streamlit's legacy pages/ mode), and the first search builds the
    read index. Neither belongs in the sessions' figures."""
    context = await browser.new_context()
    await context.route(NOT_LOCAL, lambda route: route.abort("blockedbyclient"))
    page = await context.new_page()
    await page.goto(url, timeout=LOAD_TIMEOUT_MS)
    await page.locator(SCRIPT_IDLE_SELECTOR).wait_for(state="attached", timeout=LOAD_TIMEOUT_MS)
    await _open(page, replace(plan, url=url))
    await context.close()


async def drive(
    plan: Plan,
    sessions: int,
    on_window: Callable[[str], None],
    prime_urls: list[str] | None = None,
) -> list[SessionResult]:
    """Run ``sessions`` sessions; ``on_window`` is called with "primed" (the server is
    warm, no session open), "start" and "end" (the measured window). ``prime_urls``: every
    process behind a proxy, each primed directly (the proxy would send the prime to one)."""
    from playwright.async_api import async_playwright

    executable = find_chromium()
    if executable is None:
        raise RuntimeError("Chromium not found: apt-get install chromium")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )

        async def window_mark(name: str) -> None:
            on_window(name)

        for url in prime_urls or [plan.url]:
            await _prime(browser, plan, url)
        await window_mark("primed")
        loaded = asyncio.Barrier(sessions + 1)
        measured = asyncio.Barrier(sessions + 1)
        tasks = [
            asyncio.create_task(_session(browser, plan, i, loaded, measured))
            for i in range(sessions)
        ]
        await loaded.wait()
        await window_mark("start")
        await measured.wait()
        await window_mark("end")
        results = await asyncio.gather(*tasks)
        await browser.close()
    return list(results)
