"""``leads import``: a vendor's campaign responses from a CSV file (core.leads.campaign_csv)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.access import PermissionDenied
from core.commands.runtime import OK, REFUSED, fail, open_engine, operator_label
from core.db import session_scope
from core.leads.campaign_csv import MAX_BYTES
from core.leads.campaign_leads import import_campaign_leads
from core.taxonomy import get_taxonomy


def _read(file: str) -> str:
    """The file's text (- for standard input). Reading stops one byte past the size limit:
    the import then refuses the file as too large without holding all of it."""
    if file == "-":
        raw = sys.stdin.buffer.read(MAX_BYTES + 1)
    else:
        with Path(file).open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    return raw.decode("utf-8-sig")


def run_leads_import(args: argparse.Namespace) -> int:
    vendors = get_taxonomy().vendors
    if args.vendor not in vendors:  # before open_engine(): a typo creates no database
        return fail(f"unknown vendor {args.vendor!r}; vendors: {', '.join(vendors)}")
    if args.file != "-" and not Path(args.file).is_file():
        return fail(f"no such file: {args.file}")
    try:
        text = _read(args.file)
    except UnicodeDecodeError:
        return fail("the file is not UTF-8 text; save it as “CSV UTF-8”", REFUSED)
    except OSError as exc:
        return fail(f"cannot read {args.file}: {exc.strerror or exc}")
    try:
        with session_scope(open_engine()) as session:
            report = import_campaign_leads(
                session=session,
                actor=None,
                cli_operator=operator_label(),
                vendor=args.vendor,
                csv_text=text,
                campaign_key=args.campaign,
                assign_to=args.assign_to,
                all_or_nothing=not args.keep_going,
            )
    except (ValueError, PermissionDenied) as exc:  # LeadError: an unknown campaign or member
        return fail(str(exc), REFUSED)
    for line, message in report.errors:
        print(f"line {line}: {message}", file=sys.stderr)
    print(report.summary())
    return OK if report.ok else REFUSED
