"""``benchmark``: what an account sees on its "My program(s)" screen, for scripts and audits.

The rows come from the same core functions as the screens, with the account as the viewer,
so confidentiality is applied exactly as there: hidden figures are null, never left out of
a row nor replaced by 0. A vendor account gets its member scorecard (``--region``: members
with a location in that region, one the account covers); a partner account its own program
summary; an administrator names the vendor.
"""

from __future__ import annotations

import argparse
import json
import math
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlmodel import Session, select

from core.access import PermissionDenied
from core.analytics.partner_programs import partner_program_summary
from core.analytics.program_members import member_scorecard
from core.analytics.regional import RegionAccessDenied, region_for
from core.commands.runtime import INVALID, OK, REFUSED, fail, open_engine
from core.models import ROLE_ADMIN, ROLE_PARTNER, ROLE_VENDOR, Account, AccountPublic
from core.taxonomy import get_taxonomy


def _plain(value: Any) -> Any:
    """A JSON value: dates as ISO text, NaN and None as null, NumPy scalars as Python."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "item"):  # NumPy scalar
        return _plain(value.item())
    return value


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows as JSON-ready dicts, every column kept (a hidden figure is null)."""
    return [
        {column: _plain(value) for column, value in zip(frame.columns, row, strict=True)}
        for row in frame.itertuples(index=False, name=None)
    ]


def benchmark_view(
    session: Session, account: AccountPublic, *, vendor: str | None, region: str | None
) -> dict[str, Any]:
    """What ``account`` sees, as a JSON-ready dict. PermissionDenied / ValueError otherwise."""
    if account.role == ROLE_PARTNER and account.partner_id is not None:
        if vendor or region:
            raise ValueError("--vendor and --region are for vendor and admin accounts")
        frame = partner_program_summary(
            session=session, viewer=account, partner_id=account.partner_id
        )
        return {"as": account.username, "role": account.role,
                "partner_id": account.partner_id, "rows": frame_records(frame)}  # fmt: skip
    if account.role == ROLE_ADMIN and not vendor:
        raise ValueError("an administrator sees any vendor's program: name it with --vendor")
    if account.role == ROLE_VENDOR:
        if vendor and vendor != account.vendor_name:
            raise PermissionDenied("A vendor account sees its own program only.")
        vendor = account.vendor_name
    if account.role not in (ROLE_ADMIN, ROLE_VENDOR) or not vendor:
        raise PermissionDenied("This account has no program screen.")
    if vendor not in get_taxonomy().vendors:
        raise ValueError(f"unknown vendor {vendor!r}")
    states = None
    if region:
        if region not in {r.key for r in get_taxonomy().regions}:
            raise ValueError(f"unknown region {region!r}")
        try:
            states = region_for(account, region).states
        except RegionAccessDenied as exc:
            raise PermissionDenied(str(exc)) from exc
    frame = member_scorecard(session=session, viewer=account, vendor=vendor, states=states)
    return {"as": account.username, "role": account.role, "vendor": vendor,
            "region": region, "rows": frame_records(frame)}  # fmt: skip


def _print_table(data: dict[str, Any]) -> None:
    rows = data["rows"]
    print(f"{len(rows):,} rows as {data['as']} ({data.get('vendor') or 'own programs'})")
    if rows:
        columns = list(rows[0])
        print("\t".join(columns))
        for row in rows:
            print("\t".join("" if row[c] is None else str(row[c]) for c in columns))


def run_benchmark(args: argparse.Namespace) -> int:
    with Session(open_engine()) as session:
        row = session.exec(select(Account).where(Account.username == args.as_user)).first()
        if row is None:
            return fail(f"no account {args.as_user!r}", INVALID)
        if not row.is_active:
            return fail(f"account {args.as_user!r} is not active", REFUSED)
        account = AccountPublic.model_validate(row, from_attributes=True)
        try:
            data = benchmark_view(session, account, vendor=args.vendor, region=args.region)
        except PermissionDenied as exc:
            return fail(str(exc), REFUSED)
        except ValueError as exc:  # unknown vendor or region, admin without --vendor
            return fail(str(exc), INVALID)
    if args.format == "json":
        print(json.dumps(data, indent=2))
    else:
        _print_table(data)
    return OK
