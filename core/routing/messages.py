"""The emails routing writes to the outbox: a lead offer and its reminder, to the partner.

They say what the lead is about (company size, needs, where, which campaign) and never who
the customer is: name, email, phone and company reach the partner only once it accepted.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from core.geo.places import lookup_zip
from core.models import Campaign, Lead, LeadOffer
from core.notifications.compose import Email
from core.notifications.links import absolute_url
from core.notifications.outbox import enqueue
from core.notifications.recipients import partner_recipients
from core.taxonomy import get_taxonomy

KIND_OFFER, KIND_REMINDER = "lead_offer", "offer_reminder"
MY_LEADS = "my_leads"


def where_text(zip_code: str | None) -> str:
    place = lookup_zip(zip_code or "")
    return place.label if place is not None else (zip_code or "not given")


def offer_facts(session: Session, lead: Lead) -> list[tuple[str, str]]:
    """What a partner may know of an offered lead: no contact details."""
    taxonomy = get_taxonomy()
    campaign = session.get(Campaign, lead.campaign_id) if lead.campaign_id else None
    sizes = {s.key: s.label for s in taxonomy.segments}
    return [
        ("Needs", ", ".join(taxonomy.area_label(n) for n in lead.needs or []) or "not given"),
        ("Company size", sizes.get(lead.company_size, lead.company_size)),
        ("Where", where_text(lead.zip_code)),
        ("Campaign", f"{lead.vendor_name} · {campaign.name}" if campaign else "—"),
    ]


def _deadline(at: datetime) -> str:
    return f"{at:%a %b %d, %Y %H:%M} UTC"


def enqueue_offer(session: Session, offer: LeadOffer, lead: Lead) -> int:
    """One lead_offer message per recipient; returns how many were written."""
    link = absolute_url(MY_LEADS, offer=offer.id or 0)
    deadline = _deadline(offer.expires_at)
    written = 0
    for to_email, to_name in partner_recipients(session=session, partner_id=offer.partner_id):
        email = Email(
            subject=f"New {offer.vendor} lead offered to you, answer by {deadline}",
            greeting=f"Hello {to_name},",
            paragraphs=[
                f"{offer.vendor} offers you a lead from its campaign. Accept it to see the "
                "customer's contact details, or decline it so it goes to another partner.",
                f"The offer expires on {_deadline(offer.expires_at)}.",
            ],
            facts=offer_facts(session, lead),
            actions=[("Open the offer in My leads", link)],
        )
        enqueue(
            session=session, kind=KIND_OFFER, to_email=to_email, to_name=to_name, email=email,
            essential=True, partner_id=offer.partner_id, lead_id=offer.lead_id,
            dedup_key=f"lead-offer:{offer.id}:{to_email.lower()}"[:120],
        )  # fmt: skip
        written += 1
    return written


def enqueue_reminder(session: Session, offer: LeadOffer, lead: Lead) -> int:
    """The reminder before an offer expires, at most once per offer (dedup key)."""
    link = absolute_url(MY_LEADS, offer=offer.id or 0)
    deadline = _deadline(offer.expires_at)
    written = 0
    for n, (to_email, to_name) in enumerate(
        partner_recipients(session=session, partner_id=offer.partner_id)
    ):
        email = Email(
            subject=f"Reminder: the {offer.vendor} lead offer expires {deadline}",
            greeting=f"Hello {to_name},",
            paragraphs=[
                "A lead offered to you has not been answered yet. Without an answer it goes "
                f"to another partner on {_deadline(offer.expires_at)}."
            ],
            facts=offer_facts(session, lead),
            actions=[("Accept or decline in My leads", link)],
        )
        key = f"offer-reminder:{offer.id}" + (f":{n}" if n else "")
        if enqueue(
            session=session, kind=KIND_REMINDER, to_email=to_email, to_name=to_name,
            email=email, essential=True, partner_id=offer.partner_id, lead_id=offer.lead_id,
            dedup_key=key,
        ) is not None:  # fmt: skip
            written += 1
    return written
