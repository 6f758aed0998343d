"""A partner's certifications on My profile: the list, a new one for approval, a withdrawal.

Separate from the profile form on purpose: a certification is not part of the profile's
version; it waits for an administrator and counts as evidence only once approved.
"""

from __future__ import annotations

from datetime import date

import streamlit as st
from sqlmodel import Session

from core.directory.certifications import (
    CertificationError,
    partner_certifications,
    submit_certification,
    withdraw_certification,
)
from core.evidence import CERT_EXPIRED, shown_status
from core.models import AccountPublic, CertificationInput
from core.taxonomy import get_taxonomy
from pages import get_engine
from pages.parts.saving import save

WITHDRAW_PLACEHOLDER = "Choose a certification"
WITHDRAW_CONFIRM = "Yes, withdraw it"


def certifications_section(*, account: AccountPublic, partner_id: int) -> None:
    """The page shows the outcome of a submission with ``pages.parts.saving.show_saved``."""
    catalogue = get_taxonomy().certifications
    st.subheader("Certifications")
    st.caption(
        "New certifications wait for an administrator's approval and count as evidence only "
        "once approved. Withdrawing one takes effect at once."
    )
    with Session(get_engine()) as session:
        certifications = partner_certifications(session=session, partner_id=partner_id)
    today = date.today()
    if any(
        shown_status(c.status, c.expires_on, today=today) == CERT_EXPIRED for c in certifications
    ):
        st.warning(
            "An expired certification no longer counts as evidence. Submit the renewed one "
            "with its new dates.",
            icon="⏰",
        )
    if certifications:
        st.dataframe(
            [
                {
                    "Certification": c.name,
                    "Vendor": c.vendor,
                    "Obtained": c.obtained_on,
                    "Expires": c.expires_on,
                    "Status": shown_status(c.status, c.expires_on, today=today),
                    "Review note": c.review_note,
                }
                for c in certifications
            ],
            hide_index=True,
        )
    else:
        st.write("No certifications yet.")

    with st.form("certification_form", clear_on_submit=True):
        cert_key = st.selectbox(
            "Certification",
            options=sorted(catalogue, key=lambda k: (catalogue[k].vendor, catalogue[k].name)),
            format_func=lambda k: f"{catalogue[k].vendor} · {catalogue[k].name}",
            key="cert_key",
        )
        c1, c2 = st.columns(2)
        obtained = c1.date_input("Obtained on", value=None, max_value=date.today(), key="cert_from")
        expires = c2.date_input("Expires on (optional)", value=None, key="cert_until")
        submit_cert = st.form_submit_button("Submit for approval")
    if submit_cert:
        if obtained is None:
            st.error("Give the date the certification was obtained.")
        else:
            cert = CertificationInput(
                certification_key=cert_key, obtained_on=obtained, expires_on=expires
            )
            save(
                lambda session: submit_certification(
                    session=session, actor=account, partner_id=partner_id, cert=cert
                ),
                errors=(CertificationError,),
                done="Certification submitted: it waits for approval.",
            )

    if certifications:
        # Nothing preselected and an explicit confirmation: a withdrawal takes effect at once.
        with st.form("withdraw_form"):
            labels = {
                c.id: f"{c.name} ({c.status}, obtained {c.obtained_on})" for c in certifications
            }
            chosen = st.selectbox(
                "Withdraw a certification",
                options=list(labels),
                format_func=labels.get,
                index=None,
                placeholder=WITHDRAW_PLACEHOLDER,
                key="withdraw_id",
            )
            confirmed = st.checkbox(WITHDRAW_CONFIRM, value=False, key="withdraw_confirm")
            withdraw = st.form_submit_button("Withdraw")
        if withdraw:
            if chosen is None:
                st.error("Choose the certification to withdraw.")
            elif not confirmed:
                st.warning(f"Nothing was withdrawn: tick “{WITHDRAW_CONFIRM}” to confirm.")
            else:
                save(
                    lambda session: withdraw_certification(
                        session=session, actor=account, certification_id=chosen
                    ),
                    errors=(CertificationError,),
                    done=lambda _: withdrawn(labels[chosen]),
                )


def withdrawn(label: str | None) -> str:
    """After a withdrawal the form starts over: nothing chosen, nothing confirmed."""
    for name in ("withdraw_id", "withdraw_confirm"):
        st.session_state.pop(name, None)
    return f"Withdrawn: {label}."
