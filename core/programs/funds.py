"""Market development funds: the PRM life cycle of a fund request.

requested (by the partner) -> approved / rejected; or allocated by the vendor (approved at
once); approved -> claimed (proof of performance) -> paid / returned (to the partner, who
claims again). Partners request and claim for themselves; the vendor (its own accounts)
allocates, approves, rejects, pays and returns; administrators may do both.

Approving holds budget of the campaign, rejecting a held fund or paying less than approved
gives it back (core.programs.budget: one guarded UPDATE, never over budget). Every change is
a compare-and-swap on the version the user saw and stages one "fund_request" event with the
statuses, the amounts and the campaign's committed budget before and after.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, col, select

from core.access import PermissionDenied, fresh_actor
from core.models import (
    FUND_APPROVED,
    FUND_CLAIMED,
    FUND_HOLDS_BUDGET,
    FUND_PAID,
    FUND_REJECTED,
    FUND_REQUESTED,
    FUND_RETURNED,
    ROLE_ADMIN,
    ROLE_PARTNER,
    ROLE_VENDOR,
    SIDE_PARTNER,
    SIDE_VENDOR,
    AccountPublic,
    Campaign,
    FundClaim,
    FundRequest,
    FundRequestCreate,
    FundRequestPublic,
    MaxLength,
    utc_now,
)
from core.programs.budget import cents
from core.programs.decision_mail import notify_fund_decision
from core.programs.fund_rules import (
    LABELS,
    campaign_of,
    change_fund,
    ensure_member,
    ensure_running,
    move_budget,
    public,
    record_fund_event,
)
from core.programs.rules import ProgramError
from core.programs.versioned import clean_note, ensure_acting, usd, validation_message


def _open(
    session: Session,
    actor: AccountPublic | None,
    *,
    side: str,
    campaign_id: int,
    partner_id: int,
    activity: str,
    amount_usd: float,
) -> FundRequestPublic:
    """A new request (partner side) or allocation (vendor side, approved at once)."""
    try:
        wanted = FundRequestCreate.model_validate(
            {"campaign_id": campaign_id, "partner_id": partner_id,
             "activity": activity, "amount_usd": amount_usd}
        )  # fmt: skip
    except ValidationError as exc:
        raise ProgramError(validation_message(exc, LABELS)) from None
    campaign = campaign_of(session, wanted.campaign_id)
    allocating = side == SIDE_VENDOR
    current = ensure_acting(
        session, actor, partner_id=wanted.partner_id, vendor=campaign.vendor, side=side,
        doing="allocate its funds" if allocating else "request funds for it",
    )  # fmt: skip
    ensure_member(session, wanted.partner_id, campaign.vendor)
    ensure_running(campaign, date.today())
    amount = cents(wanted.amount_usd)
    if amount <= 0:
        raise ProgramError("Amount (USD): ask for at least one cent.")
    now = utc_now()
    row = FundRequest(
        campaign_id=campaign.id or 0, partner_id=wanted.partner_id, vendor=campaign.vendor,
        requested_by=side, activity=wanted.activity, amount_usd=amount, requested_at=now,
        status=FUND_APPROVED if allocating else FUND_REQUESTED,
        approved_usd=amount if allocating else None, decided_at=now if allocating else None,
    )  # fmt: skip
    move = amount if allocating else 0.0
    move_budget(session, campaign, move, "Allocating")
    session.add(row)
    session.flush()
    record_fund_event(
        session, current, row, action="allocate" if allocating else "request", before={},
        campaign=campaign, move=move,
    )  # fmt: skip
    if allocating:  # the vendor decided on its own: the partner hears of it
        notify_fund_decision(session, row, "allocate")
    return public(row)


def request_funds(
    *,
    session: Session,
    actor: AccountPublic | None,
    campaign_id: int,
    partner_id: int,
    activity: str,
    amount_usd: float,
) -> FundRequestPublic:
    """The partner asks for ``amount_usd`` of a running campaign for ``activity``."""
    return _open(
        session, actor, side=SIDE_PARTNER, campaign_id=campaign_id, partner_id=partner_id,
        activity=activity, amount_usd=amount_usd,
    )  # fmt: skip


def allocate_funds(
    *,
    session: Session,
    actor: AccountPublic | None,
    campaign_id: int,
    partner_id: int,
    activity: str,
    amount_usd: float,
) -> FundRequestPublic:
    """The vendor grants a member funds unasked: approved at once, holding budget at once."""
    return _open(
        session, actor, side=SIDE_VENDOR, campaign_id=campaign_id, partner_id=partner_id,
        activity=activity, amount_usd=amount_usd,
    )  # fmt: skip


def approve_funds(
    *,
    session: Session,
    actor: AccountPublic | None,
    fund_id: int,
    seen_version: int,
    amount_usd: float | None = None,
    note: str = "",
) -> FundRequestPublic:
    """The vendor approves a request, in full or for less (``amount_usd``)."""

    def plan(row: FundRequest, campaign: Campaign) -> tuple[dict[str, Any], float]:
        ensure_member(session, row.partner_id, row.vendor)  # may have ended since the request
        amount = cents(row.amount_usd if amount_usd is None else amount_usd)
        if amount <= 0:
            raise ProgramError("Approve an amount above zero, or reject the request.")
        if amount > row.amount_usd:
            raise ProgramError(f"You can approve at most the {usd(row.amount_usd)} requested.")
        text = clean_note(note, required=False, doing="approve", limit=MaxLength.NOTE)
        values = {"status": FUND_APPROVED, "approved_usd": amount, "decided_at": utc_now(),
                  "decision_note": text}  # fmt: skip
        return values, amount

    return change_fund(
        session, actor, fund_id=fund_id, seen_version=seen_version, side=SIDE_VENDOR,
        verb="approve", allowed=(FUND_REQUESTED,), doing="approved", action="approve", plan=plan,
    )  # fmt: skip


def reject_funds(
    *, session: Session, actor: AccountPublic | None, fund_id: int, seen_version: int, note: str
) -> FundRequestPublic:
    """The vendor says no, with a reason: to a request, or to funds it approved before (a
    claim included); what they held goes back to the campaign."""

    def plan(row: FundRequest, campaign: Campaign) -> tuple[dict[str, Any], float]:
        text = clean_note(note, required=True, doing="reject funds", limit=MaxLength.NOTE)
        held = (row.approved_usd or 0.0) if row.status in FUND_HOLDS_BUDGET else 0.0
        return {"status": FUND_REJECTED, "decided_at": utc_now(), "decision_note": text}, -held

    return change_fund(
        session, actor, fund_id=fund_id, seen_version=seen_version, side=SIDE_VENDOR,
        verb="reject", allowed=(FUND_REQUESTED, FUND_APPROVED, FUND_CLAIMED, FUND_RETURNED),
        doing="rejected", action="reject", plan=plan,
    )  # fmt: skip


def claim_funds(
    *,
    session: Session,
    actor: AccountPublic | None,
    fund_id: int,
    seen_version: int,
    claim: dict[str, Any],
) -> FundRequestPublic:
    """The partner claims approved funds with proof of performance (FundClaim fields:
    description, amount_usd, attachment_name), at most the approved amount."""

    def plan(row: FundRequest, campaign: Campaign) -> tuple[dict[str, Any], float]:
        try:
            proof = FundClaim.model_validate(claim)
        except ValidationError as exc:
            raise ProgramError(validation_message(exc, LABELS)) from None
        amount, approved = cents(proof.amount_usd), row.approved_usd or 0.0
        if amount > approved:
            raise ProgramError(
                f"The claim of {usd(amount)} is more than the {usd(approved)} approved."
            )
        values = {"status": FUND_CLAIMED, "claim_description": proof.description,
                  "claim_amount_usd": amount, "claim_attachment": proof.attachment_name,
                  "claimed_at": utc_now()}  # fmt: skip
        return values, 0.0

    return change_fund(
        session, actor, fund_id=fund_id, seen_version=seen_version, side=SIDE_PARTNER,
        verb="claim", allowed=(FUND_APPROVED, FUND_RETURNED), doing="claimed", action="claim",
        plan=plan,
    )  # fmt: skip


def pay_claim(
    *, session: Session, actor: AccountPublic | None, fund_id: int, seen_version: int
) -> FundRequestPublic:
    """The vendor pays the claimed amount; what was approved above it goes back to the
    campaign's budget."""

    def plan(row: FundRequest, campaign: Campaign) -> tuple[dict[str, Any], float]:
        paid = row.claim_amount_usd or 0.0
        unused = max(0.0, (row.approved_usd or 0.0) - paid)
        return {"status": FUND_PAID, "paid_usd": paid, "paid_at": utc_now()}, -unused

    return change_fund(
        session, actor, fund_id=fund_id, seen_version=seen_version, side=SIDE_VENDOR,
        verb="pay", allowed=(FUND_CLAIMED,), doing="paid", action="pay", plan=plan,
    )  # fmt: skip


def return_claim(
    *, session: Session, actor: AccountPublic | None, fund_id: int, seen_version: int, note: str
) -> FundRequestPublic:
    """The vendor sends a claim back to the partner to correct; the funds stay held."""

    def plan(row: FundRequest, campaign: Campaign) -> tuple[dict[str, Any], float]:
        text = clean_note(note, required=True, doing="return a claim", limit=MaxLength.NOTE)
        return {"status": FUND_RETURNED, "decision_note": text}, 0.0

    return change_fund(
        session, actor, fund_id=fund_id, seen_version=seen_version, side=SIDE_VENDOR,
        verb="return", allowed=(FUND_CLAIMED,), doing="returned", action="return", plan=plan,
    )  # fmt: skip


def list_funds(
    *,
    session: Session,
    actor: AccountPublic | None,
    vendor: str | None = None,
    partner_id: int | None = None,
    campaign_id: int | None = None,
) -> list[FundRequestPublic]:
    """Fund requests, newest first: a vendor's accounts see their vendor's, a partner's
    accounts their partner's, administrators all; the filters narrow that down."""
    current = fresh_actor(session, actor)
    statement = select(FundRequest)
    if current.role == ROLE_VENDOR and current.vendor_name:
        if vendor not in (None, current.vendor_name):
            raise PermissionDenied(f"You see {current.vendor_name}'s funds only.")
        vendor = current.vendor_name
    elif current.role == ROLE_PARTNER and current.partner_id is not None:
        if partner_id not in (None, current.partner_id):
            raise PermissionDenied("You see your own partner organisation's funds only.")
        partner_id = current.partner_id
    elif current.role != ROLE_ADMIN:
        raise PermissionDenied("Funds are visible to vendors, their partners and administrators.")
    if vendor is not None:
        statement = statement.where(FundRequest.vendor == vendor)
    if partner_id is not None:
        statement = statement.where(FundRequest.partner_id == partner_id)
    if campaign_id is not None:
        statement = statement.where(FundRequest.campaign_id == campaign_id)
    statement = statement.order_by(col(FundRequest.requested_at).desc(), col(FundRequest.id).desc())
    return [public(row) for row in session.exec(statement).all()]
