"""The machinery behind core.programs.funds: what a fund request may do next, who gets
funds, one checked transition (``change_fund``), and how a request is read out and written
down in the audit trail."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlmodel import Session

from core.audit import record_change
from core.confidentiality import active_member_ids
from core.models import (
    FUND_APPROVED,
    FUND_CLAIMED,
    FUND_PAID,
    FUND_REJECTED,
    FUND_REQUESTED,
    FUND_RETURNED,
    SIDE_VENDOR,
    AccountPublic,
    Campaign,
    FundRequest,
    FundRequestPublic,
    Partner,
)
from core.programs.budget import hold_budget, release_budget
from core.programs.decision_mail import notify_fund_decision
from core.programs.rules import ProgramError, StaleVersion
from core.programs.versioned import ensure_acting, swap_versioned

# What a change does: the fund's new values and how much budget it holds (+) or gives back (-).
Plan = Callable[[FundRequest, Campaign], tuple[dict[str, Any], float]]

ENTITY = "fund_request"
STATUS_LABELS = {
    FUND_REQUESTED: "requested",
    FUND_APPROVED: "approved",
    FUND_REJECTED: "rejected",
    FUND_CLAIMED: "claimed",
    FUND_PAID: "paid",
    FUND_RETURNED: "returned to the partner",
}
LABELS = {
    "campaign_id": "Campaign",
    "partner_id": "Partner",
    "activity": "Activity",
    "amount_usd": "Amount (USD)",
    "description": "What was done",
    "attachment_name": "Attachment",
}
# The campaign's committed budget after the change (before it: after minus the move) goes
# into the fund's event, so the trail shows what each change did to the budget.
COMMITTED = "campaign_committed_usd"
_AUDITED = (
    "campaign_id",
    "partner_id",
    "vendor",
    "requested_by",
    "activity",
    "status",
    "amount_usd",
    "approved_usd",
    "claim_description",
    "claim_amount_usd",
    "claim_attachment",
    "paid_usd",
    "decision_note",
)


def public(row: FundRequest) -> FundRequestPublic:
    return FundRequestPublic.model_validate(row, from_attributes=True)


def audit_fields(row: FundRequest) -> dict[str, Any]:
    return {name: getattr(row, name) for name in _AUDITED}


def ensure_fund_status(current: str, allowed: tuple[str, ...], doing: str) -> None:
    if current not in allowed:
        raise ProgramError(f"A fund request that is {STATUS_LABELS[current]} cannot be {doing}.")


def campaign_of(session: Session, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise ProgramError("There is no such campaign.")
    return campaign


def ensure_member(session: Session, partner_id: int, vendor: str) -> None:
    """Only active members of the vendor's program get its funds."""
    partner = session.get(Partner, partner_id)
    if partner is None:
        raise ProgramError("There is no such partner.")
    if not active_member_ids(session, vendor, [partner_id]):
        raise ProgramError(
            f"{partner.name} is not an active member of {vendor}'s program; "
            f"only active members get {vendor}'s funds."
        )


def ensure_running(campaign: Campaign, today: date) -> None:
    """New requests and allocations only until the campaign's last day (it may not have
    started yet: partners plan their activities ahead)."""
    if campaign.ends_on < today:
        raise ProgramError(
            f"The campaign {campaign.name!r} ended on {campaign.ends_on.isoformat()}; "
            "it takes no new fund requests or allocations."
        )


def record_fund_event(
    session: Session,
    actor: AccountPublic,
    row: FundRequest,
    *,
    action: str,
    before: dict[str, Any],
    campaign: Campaign,
    move: float,
) -> None:
    after = {**audit_fields(row), COMMITTED: campaign.committed_usd}
    if move:
        before = {**before, COMMITTED: campaign.committed_usd - move}
    else:  # the budget did not move: before equals after, the diff leaves it out
        before = {**before, COMMITTED: campaign.committed_usd}
    record_change(
        session=session, actor=actor, entity_type=ENTITY, entity_id=row.id or 0,
        action=action, before=before, after=after,
    )  # fmt: skip


def move_budget(session: Session, campaign: Campaign, move: float, doing: str) -> None:
    if move > 0:
        hold_budget(session, campaign, move, doing=doing)
    elif move < 0:
        release_budget(session, campaign, -move)


def change_fund(
    session: Session,
    actor: AccountPublic | None,
    *,
    fund_id: int,
    seen_version: int,
    side: str,
    verb: str,
    allowed: tuple[str, ...],
    doing: str,
    action: str,
    plan: Plan,
) -> FundRequestPublic:
    """One checked transition: access, version, status, then ``plan`` (which may refuse);
    the fund's swap, then the budget move, then the event."""
    row = session.get(FundRequest, fund_id)
    if row is None:
        raise ProgramError("There is no such fund request.")
    current = ensure_acting(
        session, actor, partner_id=row.partner_id, vendor=row.vendor, side=side,
        doing=f"{verb} its funds",
    )  # fmt: skip
    # The version first: who saw an older state gets "reload", not a message about the
    # state someone else moved it to meanwhile.
    if row.version != seen_version:
        raise StaleVersion("fund request")
    ensure_fund_status(row.status, allowed, doing)
    campaign = campaign_of(session, row.campaign_id)
    values, move = plan(row, campaign)
    before = audit_fields(row)
    # Always the fund first, then the campaign: every change locks rows in the same order,
    # so two changes of one campaign's funds wait for each other instead of deadlocking.
    swap_versioned(session, row, seen_version, values, what="fund request")
    move_budget(session, campaign, move, "Approving")  # only an approval holds budget here
    record_fund_event(
        session, current, row, action=action, before=before, campaign=campaign, move=move
    )
    if side == SIDE_VENDOR:  # the vendor decided: the partner hears of it
        notify_fund_decision(session, row, action)
    return public(row)
