"""My leads: the partner's inbox of contact requests, status changes and history."""

from __future__ import annotations

import streamlit as st
from sqlmodel import Session

from core.leads.lifecycle import (
    LeadError,
    change_lead_status,
    count_partner_leads,
    lead_history,
    list_partner_leads,
)
from core.models import LEAD_STATUS_LABELS, LEAD_STATUSES, LEAD_TRANSITIONS, MaxLength
from core.taxonomy import get_taxonomy
from pages import get_engine
from pages.parts.lead_offers import render_glance, render_offers
from pages.parts.partner_page import setup_partner_page
from pages.parts.saving import save, show_saved

account, PARTNER_ID = setup_partner_page("My leads", "📥")
PAGE_SIZE = 50
TAXONOMY = get_taxonomy()
# Column widths in px: together 350, inside a 390 px screen's 358 px content width.
CONTACT_WIDTH, STATUS_WIDTH, VALUE_WIDTH, RECEIVED_WIDTH = 110, 96, 56, 88
FORM_KEYS = ("lead_to", "lead_value", "lead_lines", "lead_reason", "lead_note")


def forget(*keys: str) -> None:
    for key in keys:
        st.session_state.pop(key, None)


show_saved()
render_glance(account, PARTNER_ID)
render_offers(account, PARTNER_ID)

st.subheader("Inbox")
with Session(get_engine()) as session:
    counts = count_partner_leads(session=session, actor=account, partner_id=PARTNER_ID)
columns = st.columns(len(LEAD_STATUSES))
for column, status in zip(columns, LEAD_STATUSES, strict=True):
    column.metric(LEAD_STATUS_LABELS[status], counts.get(status, 0))

c1, c2 = st.columns([2, 1])
status_filter = c1.selectbox(
    "Status",
    options=["", *LEAD_STATUSES],
    format_func=lambda s: LEAD_STATUS_LABELS.get(s, "All statuses"),
    key="leads_status",
)
total = sum(counts.values()) if not status_filter else counts.get(status_filter, 0)
pages = max(1, -(-total // PAGE_SIZE))
page_no = c2.number_input(
    "Page", min_value=1, max_value=pages, value=1, key=f"leads_page_{status_filter}"
)

with Session(get_engine()) as session:
    leads = list_partner_leads(
        session=session,
        actor=account,
        partner_id=PARTNER_ID,
        status=status_filter or None,
        limit=PAGE_SIZE,
        offset=(int(page_no) - 1) * PAGE_SIZE,
    )

if not leads:
    st.info("No leads here yet. Contact requests from the directory arrive in this inbox.")
    st.stop()


def needs_text(keys: list[str]) -> str:
    labels = {a.key: a.label for a in TAXONOMY.areas}
    return ", ".join(labels.get(k, k) for k in keys)


# Four narrow columns beside the pinned contact name fit a 390 px phone as well as a laptop;
# email, company size, needs, vendor and source are in the lead's detail view below.
st.dataframe(
    [
        {
            "Lead": lead.id,
            "Contact": lead.contact_name,
            "Status": LEAD_STATUS_LABELS.get(lead.status, lead.status),
            "Value": lead.value_usd,
            "Received": lead.created_at,
        }
        for lead in leads
    ],
    hide_index=True,
    column_order=["Contact", "Status", "Value", "Received"],  # the lead # is in "Open a lead"
    column_config={
        "Contact": st.column_config.TextColumn(pinned=True, width=CONTACT_WIDTH),
        "Status": st.column_config.TextColumn(width=STATUS_WIDTH),
        "Value": st.column_config.NumberColumn(
            "Value $", help="Deal value in USD of a won lead.", format="compact",
            width=VALUE_WIDTH,
        ),
        "Received": st.column_config.DatetimeColumn(
            help="When the request arrived (UTC).", format="MMM D, YYYY", width=RECEIVED_WIDTH
        ),
    },
)  # fmt: skip
st.caption(f"{total:,} lead(s) · page {int(page_no)} of {pages}")

by_id = {lead.id: lead for lead in leads}
lead_id = st.selectbox(
    "Open a lead",
    options=list(by_id),
    format_func=lambda i: f"#{i} · {by_id[i].contact_name} · {LEAD_STATUS_LABELS[by_id[i].status]}",
    key="leads_selected",
)
lead = by_id[lead_id]

left, right = st.columns(2)
with left:
    st.subheader(f"Lead #{lead.id}")
    st.dataframe(
        [
            {"": "Contact", "Details": lead.contact_name},
            {"": "Received (UTC)", "Details": f"{lead.created_at:%b %d, %Y %H:%M}"},
            {"": "Email", "Details": lead.contact_email},
            {"": "Company size", "Details": lead.company_size},
            {"": "Needs", "Details": needs_text(lead.needs)},
            {"": "Status", "Details": LEAD_STATUS_LABELS.get(lead.status, lead.status)},
            {
                "": "Value (USD)",
                "Details": "" if lead.value_usd is None else f"${lead.value_usd:,.2f}",
            },
            {"": "Lost reason", "Details": lead.lost_reason or ""},
            {"": "Source", "Details": lead.source},
            {"": "Sent by vendor", "Details": lead.vendor_name or ""},
            {"": "Product lines sold", "Details": ", ".join(lead.product_lines or [])},
            {"": "Team request", "Details": "yes" if lead.team_key else "no"},
        ],
        hide_index=True,
    )
    st.write("Message:")
    st.text(lead.message or "(no message)")

with right:
    st.subheader("Change status")
    # The status this page showed when the user chose the change: a submit reruns the page,
    # which reads the lead afresh, so the one shown is the one remembered on the last run.
    seen_key = f"lead_seen_status_{lead.id}"
    seen_status = st.session_state.get(seen_key, lead.status)
    st.session_state[seen_key] = lead.status
    allowed = LEAD_TRANSITIONS.get(lead.status, ())
    if not allowed:
        st.write("This lead is closed: its status cannot change any more.")
    else:
        # Not cleared on submit: a refused change keeps what was typed (cleared after a save).
        with st.form(f"lead_status_form_{lead.id}"):
            to_status = st.selectbox(
                "New status",
                options=list(allowed),
                format_func=LEAD_STATUS_LABELS.get,
                key="lead_to",
            )
            value = st.number_input(
                "Deal value in USD (required for Won)",
                min_value=0.0,
                value=None,
                step=100.0,
                key="lead_value",
            )
            # Closed-loop reporting: the vendor that sent the lead learns what was sold.
            vendor_lines = TAXONOMY.vendor_product_lines.get(lead.vendor_name or "", ())
            lines = (
                st.multiselect(
                    f"{lead.vendor_name} product lines sold (required for Won)",
                    options=list(vendor_lines),
                    key="lead_lines",
                )
                if vendor_lines
                else []
            )
            reason = st.text_input(
                "Reason (required for Lost)", max_chars=MaxLength.NOTE, key="lead_reason"
            )
            note = st.text_area("Note (optional)", max_chars=MaxLength.NOTE, key="lead_note")
            change = st.form_submit_button("Change status", type="primary")
        if change:
            save(
                lambda session: change_lead_status(
                    session=session,
                    actor=account,
                    lead_id=lead.id,
                    to_status=to_status,
                    value_usd=value if to_status == "won" else None,
                    lost_reason=reason if to_status == "lost" else None,
                    note=note,
                    product_lines=lines if to_status == "won" and lead.vendor_name else None,
                    expected_status=seen_status,
                ),
                errors=(LeadError,),
                done=lambda _: (
                    forget(*FORM_KEYS) or f"Lead #{lead.id} is now {LEAD_STATUS_LABELS[to_status]}."
                ),
            )

    st.subheader("History")
    with Session(get_engine()) as session:
        history = lead_history(session=session, actor=account, lead_id=lead.id)
    st.dataframe(
        [
            {
                "When": entry.changed_at,
                "From": LEAD_STATUS_LABELS.get(entry.from_status or "", ""),
                "To": LEAD_STATUS_LABELS.get(entry.to_status, entry.to_status),
                "By": entry.actor_label,
                "Note": entry.note,
            }
            for entry in history
        ],
        hide_index=True,
        column_config={
            "When": st.column_config.DatetimeColumn("When (UTC)", format="MMM D, YYYY h:mm a")
        },
    )
