"""``outbox``: the email outbox, newest first, as JSON or a table (core.notifications)."""

from __future__ import annotations

import argparse
import json

from sqlmodel import Session

from core.commands.runtime import OK, REFUSED, fail, open_engine, operator_label
from core.notifications.outbox_view import list_outbox, outbox_counts


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
