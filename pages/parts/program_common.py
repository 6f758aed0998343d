"""Shared by the parts of the vendor's "My program" page: whose program, labels, CSV files."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pandas as pd
import streamlit as st
from sqlmodel import Session

from core.csv_safety import guard_cell
from core.models import PROGRAM_ACTIVE, ROLE_ADMIN, AccountPublic, CampaignPublic
from core.programs.campaigns import list_campaigns
from core.programs.listing import Member, list_members
from core.taxonomy import get_taxonomy
from pages import get_engine

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


@dataclass(frozen=True)
class Program:
    """What several tabs need of the program, read once per run."""

    vendor: str
    members: list[Member]  # every membership, any status
    campaigns: list[CampaignPublic]

    @property
    def names(self) -> dict[int, str]:
        return {m.partner_id: m.partner_name for m in self.members}

    @property
    def active(self) -> list[int]:
        """Active members' partner ids, by name: who may get funds, leads and deals."""
        return [m.partner_id for m in self.members if m.status == PROGRAM_ACTIVE]


def read_program(account: AccountPublic, vendor: str) -> Program:
    with Session(get_engine()) as session:
        return Program(
            vendor=vendor,
            members=list_members(session, account, vendor),
            campaigns=list_campaigns(session=session, actor=account, vendor=vendor),
        )


def key(vendor: str, name: str) -> str:
    """A widget key per vendor, so an administrator switching vendors starts afresh."""
    return f"{KEY}{vendor}_{name}"


def money(value: float | None) -> str:
    return "—" if value is None else f"${value:,.0f}"


def dollars(value: float | None) -> str:
    """Whole dollars for a table's Styler (a null cell shows as Streamlit draws it)."""
    return "" if value is None or pd.isna(value) else f"${value:,.0f}"


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The table as UTF-8 CSV (with BOM) in which no cell runs as a spreadsheet formula."""
    safe = frame.copy()
    for column in safe.columns:
        # Every column, whatever its dtype (pandas may hold text as "str" or "string").
        if not pd.api.types.is_numeric_dtype(safe[column]):
            safe[column] = safe[column].map(guard_cell)
    safe.columns = [guard_cell(str(name)) for name in safe.columns]
    buffer = io.StringIO()
    safe.to_csv(buffer, index=False, lineterminator="\n")
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
