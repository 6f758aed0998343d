"""``worker``: deadlines, reminders and delivery (core.worker), until stopped or ``--once``."""

from __future__ import annotations

import argparse
import logging
import threading

from core.commands.runtime import OK, fail, open_engine
from core.notifications.smtp import check_mail_from, parse_smtp_url
from core.settings import load_settings
from core.worker.loop import (
    DatabaseUnreachable,
    describe,
    run_forever,
    run_once,
    stop_on_signals,
)

log = logging.getLogger("core.worker")


def run_worker(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    # The schema check below opens an Alembic context, which logs its set-up at INFO: not news.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    settings = load_settings()
    if settings.smtp_url:
        try:  # a typo is said once, here, not logged on every pass
            parse_smtp_url(settings.smtp_url)
            check_mail_from(settings.mail_from)
        except ValueError as exc:
            return fail(str(exc))
    # Never creates a schema: it runs beside the app, after `python -m core migrate`.
    engine = open_engine(create_schema=False)
    if not settings.smtp_url:
        log.info("ATLAS_SMTP_URL is not set: messages stay in the outbox (python -m core outbox)")
    if args.once:
        try:
            print(describe(run_once(engine)))
        except DatabaseUnreachable as exc:
            return fail(f"the database cannot be reached: {exc}")
        return OK
    stop = threading.Event()
    stop_on_signals(stop)
    interval = settings.worker_interval_seconds
    log.info("worker started: a pass every %s s; stop with Ctrl-C or SIGTERM", interval)
    passes = run_forever(engine, interval, stop)
    log.info("worker stopped after %d passes", passes)
    return OK
