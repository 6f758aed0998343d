"""``create-account``: a sign-in account, its password from ATLAS_PASSWORD or a prompt."""

from __future__ import annotations

import argparse
import getpass
import os

from core.accounts.records import create_account
from core.commands.runtime import OK, fail, open_engine
from core.db import session_scope


def _read_password() -> str | None:
    password = os.environ.get("ATLAS_PASSWORD")
    if password:
        return password
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat password: "):
        return None
    return first


def run_create_account(args: argparse.Namespace) -> int:
    password = _read_password()
    if password is None:
        return fail("the passwords do not match")
    try:
        with session_scope(open_engine(refuse_demo_passwords=False)) as session:
            account = create_account(
                session=session,
                actor=None,
                from_cli=True,
                username=args.username,
                password=password,
                role=args.role,
                partner_id=args.partner_id,
                vendor_name=args.vendor_name,
                regions=args.regions or [],
                display_name=args.display_name or "",
            )
            summary = f"Created {account.role} account {account.username!r} (id {account.id})."
    except ValueError as exc:  # AccountError and validation problems, worded for people
        return fail(str(exc))
    print(summary)
    return OK
