"""Approvals (administrators): certifications waiting to count as evidence.

The queue is filtered by partner (name or number), vendor and age, oldest first, with the
counts (core.directory.approvals); the review form offers only what the filters show.
"""

from __future__ import annotations

from datetime import date

import streamlit as st
from sqlmodel import Session

from core.directory.approvals import AGE_CHOICES, approval_queue
from core.directory.certifications import CertificationError, review_certification
from core.formatting import escape_markdown, humanize_age
from core.models import ROLE_ADMIN, MaxLength, utc_now
from core.taxonomy import get_taxonomy
from pages import get_engine, setup_page
from pages.parts.saving import save, show_saved

account = setup_page("Approvals", "✅", roles=(ROLE_ADMIN,))
assert account is not None
TAXONOMY = get_taxonomy()
AGE_LABELS = {0: "Any age", 7: "Older than 7 days", 30: "Older than 30 days"}

show_saved()

c1, c2, c3 = st.columns([2, 1.5, 1.2])
partner_text = c1.text_input(
    "Partner", key="approvals_partner", placeholder="Name or number", max_chars=120
)
vendor = c2.selectbox(
    "Vendor",
    ["", *TAXONOMY.vendors],
    key="approvals_vendor",
    format_func=lambda v: v or "Any vendor",
)
age = c3.selectbox("Waiting", AGE_CHOICES, key="approvals_age", format_func=AGE_LABELS.get)
now = utc_now()
with Session(get_engine()) as session:
    queue = approval_queue(
        session=session,
        actor=account,
        now=now,
        partner=partner_text,
        vendor=vendor,
        older_than_days=int(age or 0),
    )

if queue.total == 0:
    st.info("Nothing waits for approval.")
    st.stop()
oldest = humanize_age(queue.oldest, now=now) if queue.oldest else ""
st.write(
    f"{queue.total} certification(s) wait for review; the oldest was submitted {oldest}. "
    + ", ".join(f"{escape_markdown(v)}: {n}" for v, n in queue.by_vendor.items())
)
pending = queue.items
if not pending:
    st.info("No pending certification matches these filters.", icon="🔍")
    st.stop()
shown = f" (the oldest {len(pending)} shown)" if queue.matching > len(pending) else ""
st.write(f"{queue.matching} match the filters{shown}, oldest first.")


def evidence_text(evidences: dict[str, int]) -> str:
    return ", ".join(
        f"{TAXONOMY.area_label(k)}: {TAXONOMY.level_label(v)}" for k, v in evidences.items()
    )


today = date.today()
st.dataframe(
    [
        {
            "Id": p.certification.id,
            "Partner": f"#{p.certification.partner_id} {p.partner_name}",
            "Vendor": p.certification.vendor,
            "Certification": p.certification.name,
            "Obtained": p.certification.obtained_on,
            "Expires": p.certification.expires_on,
            "Already expired": bool(
                p.certification.expires_on and p.certification.expires_on < today
            ),
            "Evidences": evidence_text(p.evidences),
            "Waiting": humanize_age(p.certification.submitted_at, now=now),
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
            f"#{i} · {by_id[i].certification.name} · #{by_id[i].certification.partner_id} "
            f"{by_id[i].partner_name}"
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
