"""My leads › the inbox at a glance and the vendor leads offered to the partner.

An offer shows what the lead is about, where, and by when to answer; the customer's name,
email and company appear only in the inbox, once the offer is accepted (core.routing.inbox
never reads them). Accepting and declining are decided in core (core.routing.offers).
"""

from __future__ import annotations

from datetime import datetime

import streamlit as st
from sqlmodel import Session

from core.formatting import escape_markdown
from core.models import AccountPublic, MaxLength, utc_now
from core.routing.inbox import inbox_glance, list_open_offers
from core.routing.offers import accept_offer, decline_offer
from core.routing.rules import RoutingError
from core.taxonomy import get_taxonomy
from pages import get_engine
from pages.parts.saving import save

ERRORS = (RoutingError,)


def time_left(deadline: datetime, now: datetime) -> str:
    minutes = max(0, int((deadline - now).total_seconds() // 60))
    if minutes >= 48 * 60:
        return f"{minutes // (24 * 60)} days left"
    if minutes >= 60:
        return f"{minutes // 60} h {minutes % 60:02d} min left"
    return f"{minutes} min left"


def render_glance(account: AccountPublic, partner_id: int) -> None:
    """Four counts: what waits, what is offered, what expires soon, what is overdue."""
    with Session(get_engine()) as session:
        glance = inbox_glance(session=session, actor=account, partner_id=partner_id, now=utc_now())
    new, offered, expiring, overdue = st.columns(4)
    new.metric("New leads", glance.new, help="Leads in your inbox you have not answered yet.")
    offered.metric("Offered", glance.offered, help="Vendor leads offered to you, to accept.")
    expiring.metric("Expiring", glance.expiring, help="Offers with less than 12 hours left.")
    overdue.metric(
        "Overdue", glance.overdue,
        help="New leads without a first response after 2 business days.",
    )  # fmt: skip


def render_offers(account: AccountPublic, partner_id: int) -> None:
    now = utc_now()
    with Session(get_engine()) as session:
        offers = list_open_offers(session=session, actor=account, partner_id=partner_id, now=now)
    if not offers:
        return
    st.subheader(f"Offers ({len(offers)})")
    st.caption(
        "Vendors offer you these leads from their campaigns. Accept one to see the customer's "
        "contact details in your inbox; decline it, or let it expire, and it goes to another "
        "member. Letting three offers in a row expire pauses new offers for a while."
    )
    taxonomy = get_taxonomy()
    sizes = {s.key: s.label for s in taxonomy.segments}
    wanted = str(st.query_params.get("offer", ""))
    for offer in offers:
        with st.container(border=True, key=f"offer_box_{offer.offer_id}"):
            highlight = " · from your email" if wanted == str(offer.offer_id) else ""
            campaign = f" · {escape_markdown(offer.campaign)}" if offer.campaign else ""
            st.markdown(f"**{escape_markdown(offer.vendor)} lead**{campaign}{highlight}")
            needs = ", ".join(taxonomy.area_label(n) for n in offer.needs) or "not given"
            st.caption(
                f"Needs: {escape_markdown(needs)} · Company size: "
                f"{escape_markdown(sizes.get(offer.company_size, offer.company_size))} · "
                f"Where: {escape_markdown(offer.where)}"
            )
            st.caption(
                f"Answer by {offer.expires_at:%b %d, %Y %H:%M} UTC "
                f"({time_left(offer.expires_at, now)})"
            )
            accept_col, reason_col, decline_col = st.columns([1, 3, 1], vertical_alignment="bottom")
            if accept_col.button("Accept", key=f"offer_accept_{offer.offer_id}", type="primary"):
                _accept(account, offer.offer_id)
            reason = reason_col.text_input(
                "Reason for declining (optional)", max_chars=MaxLength.NOTE,
                key=f"offer_reason_{offer.offer_id}",
            )  # fmt: skip
            if decline_col.button("Decline", key=f"offer_decline_{offer.offer_id}"):
                _decline(account, offer.offer_id, reason)


def _accept(account: AccountPublic, offer_id: int) -> None:
    save(
        lambda session: accept_offer(
            session=session, actor=account, offer_id=offer_id, now=utc_now()
        ),
        errors=ERRORS,
        done=lambda lead: f"Lead #{lead.id} is yours: it is in your inbox below.",
    )


def _decline(account: AccountPublic, offer_id: int, reason: str) -> None:
    save(
        lambda session: decline_offer(
            session=session, actor=account, offer_id=offer_id, now=utc_now(), reason=reason
        ),
        errors=ERRORS,
        done=lambda _: "Offer declined: the lead goes to another member.",
    )
