"""``worker``: deadlines, reminders and delivery (core.worker); ``outbox``: what is in it."""

from __future__ import annotations

import argparse
import json
import logging
import threading

from sqlmodel import Session

from core.commands.runtime import OK, REFUSED, fail, open_engine, operator_label
from core.notifications.outbox_view import list_outbox, outbox_counts
from core.notifications.smtp import parse_smtp_url
from core.settings import load_settings
from core.worker.loop import describe, run_forever, run_once, stop_on_signals

log = logging.getLogger("core.worker")


def run_worker(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    settings = load_settings()
    if settings.smtp_url:
        try:  # a typo in the URL is said once, here, not logged on every pass
            parse_smtp_url(settings.smtp_url)
        except ValueError as exc:
            return fail(str(exc))
    engine = open_engine()
    if not settings.smtp_url:
        log.info("ATLAS_SMTP_URL is not set: messages stay in the outbox (python -m core outbox)")
    if args.once:
        print(describe(run_once(engine)))
        return OK
    stop = threading.Event()
    stop_on_signals(stop)
    interval = settings.worker_interval_seconds
    log.info("worker started: a pass every %s s; stop with Ctrl-C or SIGTERM", interval)
    passes = run_forever(engine, interval, stop)
    log.info("worker stopped after %d passes", passes)
    return OK


def _cell(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return (flat[: width - 1] + "…" if len(flat) > width else flat).ljust(width)


def run_outbox(args: argparse.Namespace) -> int:
    with Session(open_engine()) as session:
        try:
            rows = list_outbox(
                session=session, actor=None, status=args.status, limit=args.limit,
                cli_operator=operator_label(),
            )  # fmt: skip
        except ValueError as exc:
            return fail(str(exc), REFUSED)
        counts = outbox_counts(session=session, actor=None, cli_operator=operator_label())
    if args.format == "json":
        data = {"counts": counts, "messages": [row.model_dump(mode="json") for row in rows]}
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return OK
    print(", ".join(f"{count:,} {status}" for status, count in counts.items()))
    for row in rows:
        print(
            f"{row.id:>7}  {row.status:<10}  {row.attempts:>2}  {row.created_at:%Y-%m-%d %H:%M}  "
            f"{_cell(row.kind, 22)}  {_cell(row.to_email, 32)}  {_cell(row.subject, 50)}"
        )
    return OK
