"""What a contact request tells people, written to the outbox with the leads themselves.

The partner gets the request (it owns this directory lead, so the customer's name and email
are in it) with a link to its leads; the customer gets one confirmation of what happens
next, however many partners a team request reached. Both are essential messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlmodel import Session

from core.models import ContactRequest, Lead, Partner, PartnerResponsiveness
from core.notifications.compose import Email
from core.notifications.links import absolute_url
from core.notifications.outbox import enqueue
from core.notifications.recipients import partner_recipients
from core.taxonomy import get_taxonomy

FOLLOWUP_AFTER = timedelta(days=3)
# Below this many leads a partner's answer time says too little to quote (as on profiles).
MIN_LEADS_FOR_FIGURES = 5


def _needs_text(needs: Sequence[str]) -> str:
    taxonomy = get_taxonomy()
    return ", ".join(taxonomy.area_label(k) for k in needs)


def _size_text(size: str) -> str:
    labels = {s.key: s.label for s in get_taxonomy().segments}
    return labels.get(size, size)


def answer_time_text(session: Session, partner_ids: Sequence[int]) -> str:
    """ "usually answer within …": the partner's own median when enough leads support it."""
    if len(partner_ids) == 1:
        row = session.get(PartnerResponsiveness, partner_ids[0])
        if row and row.answered >= MIN_LEADS_FOR_FIGURES and row.median_response_hours:
            hours = row.median_response_hours
            spoken = f"{hours:.0f} hours" if hours < 48 else f"{hours / 24:.0f} days"
            return f"This partner usually answers within about {spoken}."
    return "Partners usually answer within two business days."


def _partner_email(lead: Lead, partner: Partner, request: ContactRequest) -> Email:
    return Email(
        subject=f"New contact request from {request.contact_name}",
        greeting=f"Hello {partner.name},",
        paragraphs=[
            "A customer found you in Partner Atlas and asks you to contact them. "
            "Please answer by email and mark the lead in your inbox when you did.",
            *([f"Their message:\n{lead.message}"] if lead.message else []),
        ],
        facts=[
            ("Name", request.contact_name),
            ("Email", request.contact_email),
            ("Company size", _size_text(request.company_size)),
            ("Needs", _needs_text(request.needs)),
            *([("Sent to", "a team of partners, together with you")] if lead.team_key else []),
        ],
        actions=[("Open your leads", absolute_url("my_leads"))],
    )


def _customer_email(request: ContactRequest, names: list[str], answer_time: str) -> Email:
    who = names[0] if len(names) == 1 else f"{len(names)} partners: {', '.join(names)}"
    days = FOLLOWUP_AFTER.days
    return Email(
        subject="Your contact request on Partner Atlas",
        greeting=f"Hello {request.contact_name},",
        paragraphs=[
            f"Your request went to {who}. They answer you by email at "
            f"{request.contact_email}; your details went to them only.",
            answer_time,
            f"In {days} days we will ask you whether they contacted you: your answer helps "
            "other customers see which partners respond.",
        ],
        facts=[
            ("Needs", _needs_text(request.needs)),
            ("Company size", _size_text(request.company_size)),
        ],
    )


def notify_contact_request(
    *, session: Session, leads: Sequence[Lead], request: ContactRequest
) -> int:
    """Enqueue one message per partner (to each of its recipients) and one confirmation to
    the customer, in the caller's transaction. Returns how many messages were written."""
    written = 0
    names: list[str] = []
    for lead in leads:
        partner = session.get(Partner, lead.partner_id) if lead.partner_id else None
        if partner is None:
            continue
        names.append(partner.name)
        email = _partner_email(lead, partner, request)
        for address, name in partner_recipients(session=session, partner_id=partner.id or 0):
            enqueue(session=session, kind="contact_request", to_email=address,
                    to_name=name, email=email, essential=True,
                    partner_id=partner.id, lead_id=lead.id)  # fmt: skip
            written += 1
    if not names:
        return written
    ids = [lead.partner_id for lead in leads if lead.partner_id]
    enqueue(
        session=session,
        kind="customer_confirmation",
        to_email=request.contact_email,
        to_name=request.contact_name,
        email=_customer_email(request, names, answer_time_text(session, ids)),
        essential=True,
        partner_id=ids[0] if len(ids) == 1 else None,
        lead_id=leads[0].id,
    )
    return written + 1
