"""``import`` and ``export``: partners from and to CSV files (format: core.interchange)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from core.audit import record_export
from core.commands.runtime import OK, REFUSED, fail, open_engine, operator_label, show_progress
from core.db import session_scope
from core.interchange.export import export_partners_csv
from core.interchange.format import ALL_OR_NOTHING, VALID_ROWS_ONLY
from core.interchange.importer import import_partners_csv


def run_import(args: argparse.Namespace) -> int:
    source: Any = sys.stdin.buffer if args.file == "-" else args.file
    if args.file != "-" and not os.path.isfile(args.file):
        return fail(f"no such file: {args.file}")
    report = import_partners_csv(
        engine=open_engine(),
        source=source,
        mode=VALID_ROWS_ONLY if args.valid_rows_only else ALL_OR_NOTHING,
        actor_label=operator_label(),
        progress=show_progress,
    )
    for error in report.errors:
        print(error, file=sys.stderr)
    print(report.summary())
    return OK if report.ok else REFUSED


def run_export(args: argparse.Namespace) -> int:
    engine = open_engine()
    if args.file == "-":
        count = export_partners_csv(engine=engine, path_or_buffer=sys.stdout)
        print(f"Exported {count:,} partners.", file=sys.stderr)
    else:
        count = export_partners_csv(engine=engine, path_or_buffer=args.file)
        print(f"Exported {count:,} partners to {args.file}.")
    with session_scope(engine) as session:  # who took the whole directory (Audit trail)
        record_export(
            session=session, actor=None, what="partners", rows=count,
            details={"to": "standard output" if args.file == "-" else str(args.file)},
            actor_label=operator_label(),
        )  # fmt: skip
    return OK
