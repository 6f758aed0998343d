"""The partner hears of a vendor's decision on its funds or deal registrations by email.

Written to the outbox in the transaction of the decision itself (core.notifications.outbox):
a decision that rolls back sends nothing. Essential mail (it concerns money and protection
the partner asked for), so no unsubscribe link. Every fact is user text as far as the
email is concerned and is escaped by core.notifications.compose.
"""

from __future__ import annotations

from sqlmodel import Session

from core.models import Campaign, DealRegistration, FundRequest, Partner
from core.notifications.compose import Email
from core.notifications.links import absolute_url
from core.notifications.outbox import enqueue
from core.notifications.recipients import partner_recipients
from core.programs.versioned import usd

FUND_DECISION, DEAL_DECISION = "fund_decision", "deal_decision"
# The vendor's actions on a fund, as the partner reads them.
FUND_VERBS = {
    "allocate": "allocated funds to you",
    "approve": "approved your fund request",
    "reject": "rejected your fund request",
    "pay": "paid your fund claim",
    "return": "returned your fund claim for a correction",
}
DEAL_VERBS = {"approve": "approved your deal registration", "deny": "denied your deal registration"}
LINK_LABEL = "See it in My programs"


def _send(
    session: Session,
    *,
    kind: str,
    partner_id: int,
    subject: str,
    lead: str,
    facts: list[tuple[str, str]],
) -> None:
    partner = session.get(Partner, partner_id)
    for address, name in partner_recipients(session=session, partner_id=partner_id):
        email = Email(
            subject=subject,
            greeting=f"Hello {name},",
            paragraphs=[lead],
            facts=[(label, value) for label, value in facts if value],
            actions=[(LINK_LABEL, absolute_url("my_programs"))],
        )
        enqueue(
            session=session, kind=kind, to_email=address, to_name=name, email=email,
            essential=True, partner_id=partner.id if partner else None,
        )  # fmt: skip


def notify_fund_decision(session: Session, row: FundRequest, action: str) -> None:
    """After the vendor's ``action`` on the fund (its new values already on ``row``)."""
    verb = FUND_VERBS.get(action)
    if verb is None:
        return
    campaign = session.get(Campaign, row.campaign_id)
    facts = [
        ("Campaign", campaign.name if campaign else ""),
        ("Activity", row.activity),
        ("Requested", usd(row.amount_usd)),
        ("Approved", usd(row.approved_usd) if row.approved_usd is not None else ""),
        ("Claimed", usd(row.claim_amount_usd) if row.claim_amount_usd is not None else ""),
        ("Paid", usd(row.paid_usd) if row.paid_usd is not None else ""),
        ("Note from the vendor", row.decision_note),
    ]
    _send(
        session, kind=FUND_DECISION, partner_id=row.partner_id,
        subject=f"{row.vendor} {verb} (#{row.id})",
        lead=f"{row.vendor} {verb}: fund request #{row.id}.", facts=facts,
    )  # fmt: skip


def notify_deal_decision(session: Session, row: DealRegistration, action: str) -> None:
    """After the vendor approved or denied a registration (its new values on ``row``)."""
    verb = DEAL_VERBS.get(action)
    if verb is None:
        return
    until = row.protected_until.isoformat() if row.protected_until else ""
    facts = [
        ("Customer", f"{row.customer_company} ({row.zip_code})"),
        ("Value", usd(row.value_usd)),
        ("Protected until", until),
        ("Note from the vendor", row.decision_note),
    ]
    _send(
        session, kind=DEAL_DECISION, partner_id=row.partner_id,
        subject=f"{row.vendor} {verb} for {row.customer_company}",
        lead=f"{row.vendor} {verb} #{row.id} for {row.customer_company}.", facts=facts,
    )  # fmt: skip
