"""What every "My program" figure shares: who may read it, and which leads are the vendor's.

A vendor's program page is confidential: only that vendor's accounts and administrators may
read it (the viewer re-read from the database, so a forged or stale account widens nothing).
Its lead figures count only the vendor's OWN leads (``lead.vendor_name``), and of those only
the ones still unassigned or held by an ACTIVE member: the outcomes a former member or an
outsider reported are that partner's business, not the vendor's program data.

The expressions are SQLAlchemy Core, aggregated by the database (GROUP BY), and the same on
SQLite and PostgreSQL except the one dialect-specific piece, ``hours_between``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Float,
    and_,
    case,
    cast,
    func,
)
from sqlmodel import Session

from core.access import PermissionDenied
from core.confidentiality import current_viewer
from core.models import ROLE_ADMIN, ROLE_VENDOR, AccountPublic, Lead, LeadStatusChange
from core.tables import table_of

LEAD = table_of(Lead)
STATUS_CHANGE = table_of(LeadStatusChange)
# A lead "engaged" when it ever became an opportunity: these statuses all come after
# engaged in the life cycle; a lead qualified out after engaging shows it in its history.
ENGAGED_OR_LATER = ("engaged", "nurture", "won", "lost")


def ensure_vendor_viewer(
    session: Session, viewer: AccountPublic | None, vendor: str
) -> AccountPublic:
    """The viewer as the database knows it, if it may read ``vendor``'s program page."""
    current = current_viewer(session, viewer)
    if current is None:
        raise PermissionDenied("Please sign in first.")
    if current.role == ROLE_ADMIN:
        return current
    if current.role != ROLE_VENDOR or current.vendor_name != vendor:
        raise PermissionDenied("A vendor's program figures are visible to that vendor only.")
    return current


def vendor_leads(vendor: str) -> ColumnElement[bool]:
    """The vendor's own leads, unassigned or with an active member (see the module doc):
    ``lead.vendor_member``, which core.programs.store keeps true to the membership, so the
    (vendor_name, created_at, …) index answers it without a look at the membership table."""
    return and_(LEAD.c.vendor_name == vendor, LEAD.c.vendor_member.is_(True))


def engaged_flag() -> ColumnElement[int]:
    """1 when the lead ever became an engaged opportunity (``engaged_at`` is set the first
    time: it stays an engaged opportunity when later qualified out or lost), else 0."""
    return case((LEAD.c.engaged_at.is_not(None), 1), else_=0)


def status_flag(status: str) -> ColumnElement[int]:
    return case((LEAD.c.status == status, 1), else_=0)


def won_value() -> ColumnElement[float]:
    return case((LEAD.c.status == "won", func.coalesce(LEAD.c.value_usd, 0.0)), else_=0.0)


def hours_between(session: Session, start: Any, end: Any) -> ColumnElement[Any]:
    """``end - start`` in hours, computed by the database. The one dialect-specific piece:
    SQLite stores datetimes as ISO text (julianday reads it), PostgreSQL has intervals."""
    if session.get_bind().dialect.name == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * 24.0
    return cast(func.extract("epoch", end - start), Float) / 3600.0


def in_window(since: datetime, until: datetime) -> ColumnElement[bool]:
    # The typed column binds the datetimes as UTC for each dialect; the (vendor_name,
    # created_at) index answers vendor + window together.
    return and_(LEAD.c.created_at >= since, LEAD.c.created_at <= until)


def ratio(numerator: float | None, denominator: float | None, digits: int = 2) -> float | None:
    """numerator ÷ denominator, None (never 0 or NaN) when the denominator is 0 or missing."""
    if numerator is None or not denominator:
        return None
    return round(float(numerator) / float(denominator), digits)


def keep_none(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """Columns that may be None keep None (object dtype), never NaN: hidden or undefined is
    not a number, and JSON output must say null."""
    for column in columns:
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame
