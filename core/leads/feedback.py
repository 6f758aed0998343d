"""The customer's one-click answer to "did the partner contact you?" (no account needed).

The follow-up message carries one single-use token for its lead and two links (yes / no);
the first click is recorded as a ``LeadFeedback`` row with a lead event, any later click is
told the answer is recorded already. Responsiveness figures read these rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from core.audit import ANONYMOUS_LABEL, record_change
from core.models import TOKEN_CONTACTED, Lead, LeadFeedback, Partner
from core.notifications.tokens import TokenError, use_token

ANSWERS = {"yes": True, "no": False}
ALREADY = "Your answer is recorded already. Thank you!"


@dataclass(frozen=True)
class ContactAnswer:
    contacted: bool
    partner_name: str  # the only thing about the lead the page shows


def record_contact_answer(
    *, session: Session, raw: str, answer: str, now: datetime
) -> ContactAnswer:
    """Record the answer of a follow-up link, once; TokenError (a sentence for the visitor)
    for an unknown, expired or used link or an answer that is neither yes nor no."""
    if answer not in ANSWERS:
        raise TokenError("This link is incomplete. Please use a link from your email.")
    token = use_token(session=session, raw=raw, purpose=TOKEN_CONTACTED, now=now, answer=answer)
    lead_id = token.lead_id
    if lead_id is None:
        raise TokenError("This link is not valid. Please use the link from your email.")
    if session.get(LeadFeedback, lead_id) is not None:
        raise TokenError(ALREADY)  # answered through another link of the same lead
    contacted = ANSWERS[answer]
    session.add(LeadFeedback(lead_id=lead_id, contacted=contacted, answered_at=now))
    record_change(
        session=session,
        actor=None,
        actor_label=ANONYMOUS_LABEL,
        entity_type="lead",
        entity_id=lead_id,
        action="customer_answer",
        before={"customer_contacted": None},
        after={"customer_contacted": contacted},
    )
    session.flush()
    name = session.exec(
        select(Partner.name)
        .join(Lead, col(Lead.partner_id) == Partner.id)
        .where(Lead.id == lead_id)
    ).first()
    return ContactAnswer(contacted=contacted, partner_name=name or "the partner")
