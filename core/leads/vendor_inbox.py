"""A vendor's leads still waiting for a member (partner_id empty), for its "My program"
screen: newest first, a page at a time, and how many there are.

Only the vendor's own accounts and administrators read them (the same rule as loading and
assigning them in core.leads.campaign_leads). Lead rows are returned detached, as
core.leads.lifecycle does for a partner's inbox.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from core.access import PermissionDenied, fresh_actor
from core.leads.lifecycle import detached
from core.models import ROLE_ADMIN, ROLE_VENDOR, AccountPublic, Lead

MAX_PAGE = 500


def _ensure_vendor_side(session: Session, actor: AccountPublic | None, vendor: str) -> None:
    current = fresh_actor(session, actor)
    if current.role == ROLE_ADMIN or (
        current.role == ROLE_VENDOR and current.vendor_name == vendor
    ):
        return
    raise PermissionDenied(f"Only {vendor}'s own accounts may see its unassigned leads.")


def _unassigned(vendor: str) -> tuple[Any, ...]:
    # ix_lead_vendor_created serves vendor_name; unassigned leads are few per vendor.
    return (col(Lead.vendor_name) == vendor, col(Lead.partner_id).is_(None))


def list_unassigned_leads(
    *, session: Session, actor: AccountPublic | None, vendor: str, limit: int = 50, offset: int = 0
) -> list[Lead]:
    """``vendor``'s leads that no member has yet, newest first."""
    _ensure_vendor_side(session, actor, vendor)
    rows = session.exec(
        select(Lead)
        .where(*_unassigned(vendor))
        .order_by(col(Lead.created_at).desc(), col(Lead.id).desc())
        .limit(max(1, min(limit, MAX_PAGE)))
        .offset(max(0, offset))
    ).all()
    return [detached(row) for row in rows]


def count_unassigned_leads(*, session: Session, actor: AccountPublic | None, vendor: str) -> int:
    _ensure_vendor_side(session, actor, vendor)
    return int(
        session.exec(select(func.count()).select_from(Lead).where(*_unassigned(vendor))).one()
    )
