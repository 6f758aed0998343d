"""The contact form of a partner's profile and of "Contact this team", as one widget.

Both forms validate, rate-limit and send through ``core.leads.contact_requests``. The rate
limit lives in the database, keyed by the visitor's address (``st.context.ip_address``) and
the email typed, so a reload or a new browser does not reset it. A hidden honeypot field,
which a person never sees, catches form-filling bots.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import streamlit as st

from core.db import session_scope
from core.formatting import escape_markdown
from core.leads.contact_requests import (
    FIELD_LABELS,
    MAX_LENGTHS,
    ContactOutcome,
    send_contact_request,
)
from core.models import ContactRequest
from core.settings import get_settings
from core.taxonomy import get_taxonomy
from pages import get_engine

# This visit's key when its address is unknown (no proxy header, tests): the rate limit then
# counts the session, and the email across sessions.
VISIT_KEY = "contact_visit_id"
NOTICE_KEY = "contact_notice"  # what the last send said beyond "sent" (a merge), shown once
HONEYPOT_LABEL = "Fax number (leave this empty)"
# Out of sight and out of reach: not displayed, not focusable, not read by screen readers
# (visibility: hidden), and no room taken; a bot filling every input still finds it.
HONEYPOT_CSS = """<style>
div[class*="st-key-contact_hp_"] {position: absolute !important; left: -10000px; top: auto;
  width: 1px; height: 1px; overflow: hidden; visibility: hidden;}
</style>"""


def visitor_address() -> str | None:
    """The visitor's address as Streamlit sees it; None when unknown."""
    try:
        return st.context.ip_address
    except Exception:  # no browser connection (AppTest, a bare script run)
        return None


def show_contact_notice() -> None:
    """Beside a page's "sent" confirmation: a merge into an earlier request, once."""
    if notice := st.session_state.pop(NOTICE_KEY, None):
        st.info(escape_markdown(notice), icon="🔁")


def contact_form(
    *,
    form_key: str,
    partner_ids: list[int],
    team: bool,
    default_needs: list[str],
    button_label: str,
    title: str = "",
    message_placeholder: str | None = None,
) -> ContactRequest | None:
    """Draw the form; on a successful send return the request (the caller confirms it).

    ``team`` sends one linked lead to every partner of ``partner_ids``; otherwise it names
    the one partner of a profile.
    """
    taxonomy = get_taxonomy()
    segment_labels = {s.key: s.label for s in taxonomy.segments}
    limit = get_settings().contact_requests_per_hour
    with st.form(form_key, enter_to_submit=False):
        if title:
            st.markdown(title)
        left, right = st.columns(2)
        name = left.text_input("Your name", max_chars=MAX_LENGTHS["contact_name"])
        email = right.text_input("Email", max_chars=MAX_LENGTHS["contact_email"])
        # Radio buttons, not a selectbox: Esc in a selectbox without a default cleared the
        # chosen size. Full width, in one line on a wide screen, wrapped on a phone.
        size = st.radio(
            "Company size",
            taxonomy.segment_keys,
            index=None,
            format_func=segment_labels.get,
            horizontal=True,
        )
        needs = st.multiselect(
            "What you need",
            taxonomy.area_keys,
            default=default_needs,
            format_func=taxonomy.area_label,
        )
        message = st.text_area(
            "Message (optional)",
            max_chars=MAX_LENGTHS["message"],
            placeholder=message_placeholder,
        )
        st.html(HONEYPOT_CSS)
        honeypot = st.text_input(HONEYPOT_LABEL, key=f"contact_hp_{form_key}", autocomplete="off")
        submitted = st.form_submit_button(button_label, type="primary")
    recipients = "these partners" if team else "this partner"
    st.caption(
        f"Your name and email go to {recipients} only, to answer you. "
        f"At most {limit} requests per hour from one address or email."
    )
    if not submitted:
        return None
    values = {"contact_name": name, "contact_email": email, "company_size": size,
              "needs": needs, "message": message}  # fmt: skip
    with session_scope(get_engine()) as db:
        outcome = send_contact_request(
            session=db,
            partner_ids=partner_ids,
            team=team,
            values=values,
            visitor_address=visitor_address(),
            session_id=st.session_state.setdefault(VISIT_KEY, uuid.uuid4().hex),
            now=datetime.now(UTC),
            limit=limit,
            honeypot=honeypot,
        )
    if not outcome.sent:
        show_problems(outcome)
        return None
    st.session_state[NOTICE_KEY] = outcome.notice
    return outcome.request


def show_problems(outcome: ContactOutcome) -> None:
    if outcome.field_errors:
        problems = [
            f"- **{FIELD_LABELS.get(f, f)}**: {escape_markdown(m)}"
            for f, m in outcome.field_errors.items()
        ]
        st.error("Please check the form:\n" + "\n".join(problems))
    else:
        st.error(escape_markdown(outcome.problem))
