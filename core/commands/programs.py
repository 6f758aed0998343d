"""``programs``: a vendor's program members with tier, status, since and figures sharing."""

from __future__ import annotations

import argparse
import json

from sqlmodel import Session

from core.commands.runtime import OK, fail, open_engine
from core.models import PROGRAM_STATUSES
from core.programs.listing import read_members
from core.taxonomy import get_taxonomy


def run_programs(args: argparse.Namespace) -> int:
    vendors = get_taxonomy().vendors
    if args.vendor not in vendors:  # before open_engine(): a typo creates no database
        return fail(f"unknown vendor {args.vendor!r}; vendors: {', '.join(vendors)}")
    unknown = [s for s in args.status or () if s not in PROGRAM_STATUSES]
    if unknown:
        return fail(f"unknown status {', '.join(unknown)}; statuses: {', '.join(PROGRAM_STATUSES)}")
    with Session(open_engine()) as session:
        members = read_members(session, args.vendor, statuses=tuple(args.status or ()))
    if args.format == "json":
        data = {
            "vendor": args.vendor,
            "tiers": list(get_taxonomy().tiers_of(args.vendor)),
            "total": len(members),
            "members": [m.to_json_dict() for m in members],
        }
        print(json.dumps(data, indent=2))
        return OK
    print(f"{len(members):,} memberships in the {args.vendor} program")
    for m in members:
        since = m.since.isoformat() if m.since else ""
        shared = "shares figures" if m.figures_shared else ""
        print(
            f"{m.partner_id:>8}  {m.status:<9}  {m.tier or '':<20}  {since:<10}  "
            f"{shared:<14}  {m.partner_name}"
        )
    return OK
