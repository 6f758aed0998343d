"""A vendor's co-marketing campaigns: create, change, list.

The vendor's own accounts (and administrators) create and change them; an active member of
the vendor's program may list them, to request funds. Every change is a compare-and-swap on
the version the user saw and records one audit event ("campaign"). The committed budget is
moved by the funds (core.programs.budget), never here.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core.access import PermissionDenied, fresh_actor
from core.audit import record_change
from core.confidentiality import active_member_ids
from core.models import (
    ROLE_ADMIN,
    ROLE_PARTNER,
    ROLE_VENDOR,
    AccountPublic,
    Campaign,
    CampaignCreate,
    CampaignPublic,
    CampaignUpdate,
)
from core.programs.budget import CENT_SLACK, cents
from core.programs.rules import ProgramError, StaleVersion
from core.programs.versioned import ensure_vendor, swap_versioned, usd, validation_message
from core.taxonomy import get_taxonomy

ENTITY = "campaign"
LABELS = {
    "vendor": "Vendor",
    "key": "Key",
    "name": "Name",
    "regions": "Regions",
    "target_needs": "Target needs",
    "target_sizes": "Target company sizes",
    "budget_usd": "Budget (USD)",
    "starts_on": "Start date",
    "ends_on": "End date",
}
EDITABLE = tuple(CampaignUpdate.model_fields)


def public(row: Campaign) -> CampaignPublic:
    return CampaignPublic.model_validate(row, from_attributes=True)


def audit_fields(row: Campaign) -> dict[str, Any]:
    return {name: getattr(row, name) for name in ("vendor", "key", *EDITABLE)}


def create_campaign(
    *, session: Session, actor: AccountPublic | None, data: dict[str, Any]
) -> CampaignPublic:
    """A new campaign of ``data["vendor"]`` (the CampaignCreate fields); its key is unique
    per vendor."""
    try:
        wanted = CampaignCreate.model_validate(data)
    except ValidationError as exc:
        raise ProgramError(validation_message(exc, LABELS)) from None
    actor = ensure_vendor(session, actor, wanted.vendor, doing="create its campaigns")
    duplicate = ProgramError(
        f"{wanted.vendor} already has a campaign with the key {wanted.key!r}; choose another."
    )
    taken = session.exec(
        select(Campaign.id).where(Campaign.vendor == wanted.vendor, Campaign.key == wanted.key)
    ).first()
    if taken is not None:
        raise duplicate
    row = Campaign.model_validate(
        {**wanted.model_dump(), "budget_usd": cents(wanted.budget_usd), "committed_usd": 0.0}
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError:  # created by someone else between the check and the insert
        raise duplicate from None
    record_change(
        session=session,
        actor=actor,
        entity_type=ENTITY,
        entity_id=row.id or 0,
        action="create",
        before={},
        after=audit_fields(row),
    )
    return public(row)


def update_campaign(
    *,
    session: Session,
    actor: AccountPublic | None,
    campaign_id: int,
    seen_version: int,
    changes: dict[str, Any],
) -> CampaignPublic:
    """Change the fields named in ``changes`` (CampaignUpdate; None means "leave as is").
    The budget may not go below what approved funds already hold."""
    row = session.get(Campaign, campaign_id)
    if row is None:
        raise ProgramError("There is no such campaign.")
    actor = ensure_vendor(session, actor, row.vendor, doing="change its campaigns")
    try:
        asked = CampaignUpdate.model_validate(changes)
    except ValidationError as exc:
        raise ProgramError(validation_message(exc, LABELS)) from None
    if row.version != seen_version:
        raise StaleVersion("campaign")
    wanted = {k: v for k, v in asked.model_dump(exclude_unset=True).items() if v is not None}
    if "budget_usd" in wanted:
        wanted["budget_usd"] = cents(wanted["budget_usd"])
    new_values = {k: v for k, v in wanted.items() if getattr(row, k) != v}
    if not new_values:
        return public(row)  # nothing to change, nothing to record
    starts_on = new_values.get("starts_on", row.starts_on)
    if new_values.get("ends_on", row.ends_on) < starts_on:
        raise ProgramError("The campaign must end on or after the day it starts.")
    budget = new_values.get("budget_usd")
    # Funds may be approved while the vendor edits: the guard checks the budget against
    # what is committed at the moment of the UPDATE, not against what was read above.
    guard = col(Campaign.committed_usd) <= budget + CENT_SLACK if budget is not None else None
    before = audit_fields(row)
    try:
        swap_versioned(session, row, seen_version, new_values, what="campaign", guard=guard)
    except StaleVersion:
        session.refresh(row)
        if budget is None or row.version != seen_version:
            raise
        raise ProgramError(
            f"The budget cannot go below the {usd(row.committed_usd)} that approved funds "
            "already hold."
        ) from None
    record_change(
        session=session,
        actor=actor,
        entity_type=ENTITY,
        entity_id=campaign_id,
        action="update",
        before=before,
        after=audit_fields(row),
    )
    return public(row)


def list_campaigns(
    *, session: Session, actor: AccountPublic | None, vendor: str
) -> list[CampaignPublic]:
    """``vendor``'s campaigns, newest start first: for that vendor's accounts, administrators
    and the active members of its program (who request funds from them)."""
    if vendor not in get_taxonomy().vendors:
        raise ProgramError(f"Unknown vendor {vendor!r}.")
    current = fresh_actor(session, actor)
    allowed = (
        current.role == ROLE_ADMIN
        or (current.role == ROLE_VENDOR and current.vendor_name == vendor)
        or (
            current.role == ROLE_PARTNER
            and current.partner_id is not None
            and bool(active_member_ids(session, vendor, [current.partner_id]))
        )
    )
    if not allowed:
        raise PermissionDenied(
            f"{vendor}'s campaigns are visible to its own accounts and its active members only."
        )
    rows = session.exec(
        select(Campaign)
        .where(Campaign.vendor == vendor)
        .order_by(col(Campaign.starts_on).desc(), col(Campaign.id).desc())
    ).all()
    return [public(row) for row in rows]
