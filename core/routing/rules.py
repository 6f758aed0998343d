"""A campaign's routing rules: read and saved by the campaign's vendor (or an administrator).

A campaign without a ``CampaignRouting`` row is not routed: its vendor assigns leads by
hand. Saving is a compare-and-swap on the version the vendor saw (``seen_version`` None:
"there were no rules yet"), validated by ``CampaignRoutingUpdate``, with the tiers checked
against the vendor's own program tiers, and records one "campaign" audit event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import CursorResult, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core.audit import record_change
from core.db import savepoint
from core.models import AccountPublic, Campaign, CampaignRouting, CampaignRoutingUpdate, utc_now
from core.programs.rules import ProgramError, StaleVersion
from core.programs.versioned import ensure_vendor, validation_message
from core.taxonomy import get_taxonomy

ENTITY = "campaign"
LABELS = {
    "enabled": "Routing on",
    "radius_km": "Radius (km)",
    "min_level": "Minimum level",
    "evidence_only": "Evidence only",
    "tiers": "Tiers",
    "max_open_offers": "Open offers per member",
    "fairness": "Fairness",
    "accept_hours": "Hours to accept",
}
RULE_FIELDS = tuple(CampaignRoutingUpdate.model_fields)


class RoutingError(ProgramError):
    """A routing change or answer that cannot be made; the message is for the user."""


def _campaign(session: Session, campaign_id: int) -> Campaign:
    row = session.get(Campaign, campaign_id)
    if row is None:
        raise RoutingError("That campaign does not exist.")
    return row


def rule_fields(row: CampaignRouting | None) -> dict[str, Any]:
    if row is None:
        return {}
    return {name: getattr(row, name) for name in RULE_FIELDS}


def get_routing(
    *, session: Session, actor: AccountPublic | None, campaign_id: int
) -> CampaignRouting | None:
    """The campaign's rules (a detached copy), None when it has none."""
    campaign = _campaign(session, campaign_id)
    ensure_vendor(session, actor, campaign.vendor, doing="see its campaigns' routing rules")
    row = session.get(CampaignRouting, campaign_id, populate_existing=True)
    return None if row is None else CampaignRouting.model_validate(row.model_dump())


def validate_rules(vendor: str, data: dict[str, Any]) -> CampaignRoutingUpdate:
    """The form's values as rules, or RoutingError saying the first problem."""
    try:
        wanted = CampaignRoutingUpdate.model_validate(data)
    except ValidationError as exc:
        raise RoutingError(validation_message(exc, LABELS)) from None
    tiers = get_taxonomy().tiers_of(vendor)
    unknown = [t for t in wanted.tiers if t not in tiers]
    if unknown:
        raise RoutingError(
            f"{vendor} has no tier {', '.join(map(repr, unknown))} (tiers: {', '.join(tiers)})."
        )
    # Kept in the vendor's own order, lowest tier first, without duplicates.
    wanted.tiers = [t for t in tiers if t in wanted.tiers]
    return wanted


def save_routing(
    *,
    session: Session,
    actor: AccountPublic | None,
    campaign_id: int,
    data: dict[str, Any],
    seen_version: int | None,
    now: datetime | None = None,
) -> CampaignRouting:
    """Create (``seen_version`` None) or change the campaign's rules; StaleVersion when
    someone saved them since the vendor read them. ``now`` (default: the clock) is when
    they change: leads nobody qualified for are tried again under rules newer than that."""
    now = now or utc_now()
    campaign = _campaign(session, campaign_id)
    current = ensure_vendor(session, actor, campaign.vendor, doing="set its campaigns' routing")
    wanted = validate_rules(campaign.vendor, data)
    values = wanted.model_dump()
    row = session.get(CampaignRouting, campaign_id, populate_existing=True)
    before = rule_fields(row)
    if seen_version is None:
        if row is not None:
            raise StaleVersion("campaign's routing")
        row = CampaignRouting(campaign_id=campaign_id, **values, updated_at=now, version=1)
        try:
            # Two first saves at once: the primary key decides, the loser is told to reload.
            with savepoint(session):
                session.add(row)
                session.flush()
        except IntegrityError:
            raise StaleVersion("campaign's routing") from None
        action = "routing_create"
    else:
        result = session.execute(
            update(CampaignRouting)
            .where(
                col(CampaignRouting.campaign_id) == campaign_id,
                col(CampaignRouting.version) == seen_version,
            )
            .values(**values, version=seen_version + 1, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        assert isinstance(result, CursorResult)  # what an UPDATE returns; typed as Result
        if result.rowcount != 1 or row is None:
            raise StaleVersion("campaign's routing")
        session.refresh(row)
        action = "routing_change"
    record_change(
        session=session, actor=current, entity_type=ENTITY, entity_id=campaign_id,
        action=action, before=before, after=rule_fields(row),
    )  # fmt: skip
    return CampaignRouting.model_validate(row.model_dump())


def routing_switches(
    *, session: Session, actor: AccountPublic | None, vendor: str
) -> dict[int, bool]:
    """Per campaign of ``vendor`` that has rules: whether routing is on."""
    ensure_vendor(session, actor, vendor, doing="see its campaigns' routing rules")
    rows = session.exec(
        select(CampaignRouting.campaign_id, CampaignRouting.enabled)
        .join(Campaign, col(Campaign.id) == CampaignRouting.campaign_id)
        .where(Campaign.vendor == vendor)
    ).all()
    return {int(cid): bool(on) for cid, on in rows}
