"""The worker's passes: every job of core.worker.jobs.JOBS, in order, again and again.

One job's failure is logged and the pass goes on with the next job: a broken reminder must
not hold back delivery. ``run_forever`` sleeps on an Event, so SIGTERM/SIGINT (or a test
setting the event) ends it between passes, never in the middle of a job's transaction.
A database that cannot be reached is not a job's failure: the pass ends (every job would fail
alike), one line is logged for the whole outage, and the next pass tries again.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Sequence
from datetime import datetime
from types import FrameType

from sqlalchemy import Engine

from core.errors import is_database_unavailable
from core.models import utc_now
from core.worker.jobs import JOBS, Job

log = logging.getLogger(__name__)


class DatabaseUnreachable(Exception):
    """A pass ended because the database could not be reached; the message is one line."""


def run_once(
    engine: Engine, now: datetime | None = None, *, jobs: Sequence[Job] | None = None
) -> dict[str, int]:
    """One pass at ``now`` (default: the clock): {job name: items handled}; a job that
    raised counts 0 and is logged."""
    moment = now or utc_now()
    done: dict[str, int] = {}
    for job in JOBS if jobs is None else jobs:
        try:
            done[job.name] = int(job.run(engine, moment))
        except Exception as exc:
            if is_database_unavailable(exc):  # not this job's fault: the others would fail too
                raise DatabaseUnreachable(_first_line(exc)) from exc
            log.exception("worker job %s failed; the other jobs go on", job.name)
            done[job.name] = 0
    return done


def describe(done: dict[str, int]) -> str:
    """'delivery: 3, offer_expiry: 1' — the jobs that did something, or 'nothing due'."""
    busy = [f"{name}: {count}" for name, count in done.items() if count]
    return ", ".join(busy) or "nothing due"


def run_forever(engine: Engine, interval: float, stop_event: threading.Event) -> int:
    """Passes every ``interval`` seconds until ``stop_event`` is set; returns the number of
    passes. Logs one line per pass that did something."""
    passes = 0
    unreachable = False  # logged once when an outage starts and once when it ends
    while not stop_event.is_set():
        try:
            done = run_once(engine)
        except DatabaseUnreachable as exc:
            if not unreachable:
                log.warning("worker: database unreachable (%s); retrying every %s s", exc, interval)
            unreachable = True
        else:
            if unreachable:
                log.info("worker: database reachable again")
            unreachable = False
            if any(done.values()):
                log.info("worker pass: %s", describe(done))
        passes += 1
        stop_event.wait(interval)
    return passes


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def stop_on_signals(stop_event: threading.Event) -> None:
    """SIGTERM (make run, systemd, docker stop) and SIGINT (Ctrl-C) end the loop cleanly
    after the current pass. Main thread only, as Python's signal handlers are."""

    def handler(signum: int, _frame: FrameType | None) -> None:
        log.info("worker stopping (%s)", signal.Signals(signum).name)
        stop_event.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
