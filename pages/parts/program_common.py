"""Shared by the parts of the vendor's "My program" page: whose program, labels, CSV files."""

from __future__ import annotations

import io

import pandas as pd
import streamlit as st

from core.interchange.format import guard
from core.models import ROLE_ADMIN, AccountPublic
from core.taxonomy import get_taxonomy

KEY = "program_"  # prefix of every widget key on the page


def program_vendor(account: AccountPublic) -> str:
    """The vendor whose program the page shows: the account's own; an administrator picks."""
    if account.role == ROLE_ADMIN:
        vendors = list(get_taxonomy().vendors)
        default = vendors.index("Cisco") if "Cisco" in vendors else 0
        return str(st.selectbox("Vendor", vendors, index=default, key=f"{KEY}vendor"))
    if not account.vendor_name:
        st.error("This vendor account is not linked to a vendor. Ask an administrator to link it.")
        st.stop()
    return account.vendor_name


def key(vendor: str, name: str) -> str:
    """A widget key per vendor, so an administrator switching vendors starts afresh."""
    return f"{KEY}{vendor}_{name}"


def money(value: float | None) -> str:
    return "—" if value is None else f"${value:,.0f}"


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The table as UTF-8 CSV (with BOM) in which no cell runs as a spreadsheet formula."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object:
            safe[column] = safe[column].map(lambda v: guard(v) if isinstance(v, str) else v)
    buffer = io.StringIO()
    safe.to_csv(buffer, index=False, lineterminator="\n")
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
