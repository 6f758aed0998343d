"""The review request: written in the same unit of work that marks a lead won.

The link's token is bound to the lead, its partner and the customer's email address, so
only that customer can use it, once. The message is non-essential (the customer did not
ask for it): it carries an unsubscribe link, and an address that unsubscribed keeps it as
"suppressed" in the outbox instead of receiving it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from core.models import TOKEN_REVIEW, Lead, Partner, utc_now
from core.notifications.compose import Email
from core.notifications.links import absolute_url
from core.notifications.outbox import enqueue
from core.notifications.tokens import issue_token
from core.notifications.unsubscribe import unsubscribe_url

REVIEW_KIND = "review_request"
REVIEW_VALID_FOR = timedelta(days=90)


def review_key(lead_id: int) -> str:
    return f"review:{lead_id}"


def request_review(*, session: Session, lead: Lead, now: datetime | None = None) -> bool:
    """Send the customer of a just-won lead its single-use review link; False when the lead
    has no partner, or a request for it was written before (a lead is reviewed once)."""
    if lead.status != "won" or lead.partner_id is None or lead.id is None:
        return False
    partner = session.get(Partner, lead.partner_id)
    if partner is None:
        return False
    now = now or utc_now()
    raw = issue_token(
        session=session, purpose=TOKEN_REVIEW, valid_for=REVIEW_VALID_FOR, lead_id=lead.id,
        partner_id=lead.partner_id, email=lead.contact_email, now=now,
    )  # fmt: skip
    email = Email(
        subject=f"How did {partner.name} do?",
        greeting=f"Hello {lead.contact_name},",
        paragraphs=[
            f"{partner.name} tells us you closed a deal together after your request through "
            "Partner Atlas. Would you rate them, 1 to 5, with a few words? Only customers of "
            "a closed deal can review a partner, so your review helps others choose.",
            "The link works once and only for you: you confirm it with this email address.",
        ],
        actions=[(f"Rate {partner.name}", absolute_url("review", t=raw))],
        unsubscribe_url=unsubscribe_url(session=session, email=lead.contact_email, now=now),
    )
    message = enqueue(
        session=session, kind=REVIEW_KIND, to_email=lead.contact_email,
        to_name=lead.contact_name, email=email, essential=False, partner_id=lead.partner_id,
        lead_id=lead.id, dedup_key=review_key(lead.id),
    )  # fmt: skip
    return message is not None
