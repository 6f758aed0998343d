"""Approvals (administrators): certifications waiting to count as evidence."""

from __future__ import annotations

import streamlit as st
from sqlmodel import Session

from core.directory.certifications import (
    CertificationError,
    list_pending_certifications,
    review_certification,
)
from core.models import ROLE_ADMIN, MaxLength
from core.taxonomy import get_taxonomy
from pages import get_engine, setup_page
from pages.parts.saving import save, show_saved

account = setup_page("Approvals", "✅", roles=(ROLE_ADMIN,))
assert account is not None
TAXONOMY = get_taxonomy()

show_saved()

with Session(get_engine()) as session:
    pending = list_pending_certifications(session=session, actor=account)

if not pending:
    st.info("Nothing waits for approval.")
    st.stop()


def evidence_text(evidences: dict[str, int]) -> str:
    return ", ".join(
        f"{TAXONOMY.area_label(k)}: {TAXONOMY.level_label(v)}" for k, v in evidences.items()
    )


st.write(f"{len(pending)} certification(s) wait for review, oldest first.")
st.dataframe(
    [
        {
            "Id": p.certification.id,
            "Partner": f"#{p.certification.partner_id} {p.partner_name}",
            "Vendor": p.certification.vendor,
            "Certification": p.certification.name,
            "Obtained": p.certification.obtained_on,
            "Expires": p.certification.expires_on,
            "Evidences": evidence_text(p.evidences),
            "Submitted": p.certification.submitted_at,
        }
        for p in pending
    ],
    hide_index=True,
)

by_id = {p.certification.id: p for p in pending}
with st.form("review_form", clear_on_submit=True):
    chosen = st.selectbox(
        "Certification to review",
        options=list(by_id),
        format_func=lambda i: (
            f"#{i} · {by_id[i].certification.name} · partner #{by_id[i].certification.partner_id}"
        ),
        key="review_id",
    )
    note = st.text_input(
        "Note to the partner (optional)", max_chars=MaxLength.NOTE, key="review_note"
    )
    c1, c2 = st.columns(2)
    approve = c1.form_submit_button("Approve", type="primary")
    reject = c2.form_submit_button("Reject")

if (approve or reject) and chosen is not None:
    verdict = "approved: it now counts as evidence" if approve else "rejected"
    save(
        lambda session: review_certification(
            session=session,
            actor=account,
            certification_id=int(chosen),
            approve=bool(approve),
            note=note,
        ),
        errors=(CertificationError,),
        done=f"Certification #{chosen} {verdict}.",
    )
