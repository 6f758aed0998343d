"""My program › Leads: load campaign responses (CSV) and give unassigned leads to members.

The upload is validated by core.leads.campaign_leads like the partner import: all or
nothing by default, and every bad row named with its line. Until routing exists (the next
issue) the vendor gives each unassigned lead to an active member here.
"""

from __future__ import annotations

import io

import streamlit as st
from sqlmodel import Session

from core.csv_safety import SafeDictWriter
from core.formatting import escape_markdown
from core.leads.campaign_csv import COLUMNS
from core.leads.campaign_leads import CampaignLeadImport, assign_lead, import_campaign_leads
from core.leads.lifecycle import LeadError
from core.leads.vendor_inbox import count_unassigned_leads, list_unassigned_leads
from core.models import AccountPublic
from core.programs.rules import ProgramError
from core.taxonomy import get_taxonomy
from pages import get_engine
from pages.parts.program_common import Program, key
from pages.parts.saving import save

ERRORS = (LeadError, ProgramError)
EXAMPLE = {
    "company": "Peachtree Dental Group",
    "contact_name": "Dana Reyes",
    "contact_email": "dana.reyes@example.com",
    "zip": "30303",
    "company_size": "11-50",
    "needs": "networking;security",
}
PAGE = 100
RESULT_KEY = "program_import_result"  # the last import's report, shown after the rerun


def template_csv() -> bytes:
    buffer = io.StringIO()
    writer = SafeDictWriter(buffer, fieldnames=list(COLUMNS))
    writer.writeheader()
    writer.writerow(EXAMPLE)
    return buffer.getvalue().encode("utf-8")


def render_leads(account: AccountPublic, program: Program) -> None:
    vendor = program.vendor
    st.subheader("Load campaign responses")
    taxonomy = get_taxonomy()
    st.caption(
        f"A CSV file with the columns {', '.join(COLUMNS)}. company_size is one of "
        f"{', '.join(s.key for s in taxonomy.segments)}; needs are need keys separated by “;” "
        f"({', '.join(a.key for a in taxonomy.areas[:4])} …)."
    )
    st.download_button(
        "Download a template (CSV)",
        data=template_csv(),
        file_name="campaign-responses-template.csv",
        mime="text/csv",
        key=key(vendor, "lead_template"),
    )
    _upload(account, program)
    st.subheader("Unassigned leads")
    _unassigned(account, program)


def _upload(account: AccountPublic, program: Program) -> None:
    vendor, member_names, active = program.vendor, program.names, program.active
    by_key = {c.key: c.name for c in program.campaigns}
    with st.form(key(vendor, "lead_upload_form")):
        upload = st.file_uploader(
            "Campaign responses (CSV, up to 5 MB)", type=["csv"], key=key(vendor, "lead_file")
        )
        campaign_key = st.selectbox(
            "Campaign",
            ["", *by_key],
            format_func=lambda k: by_key.get(k, "No campaign (a vendor referral)"),
            key=key(vendor, "lead_campaign"),
        )
        assign_to = st.selectbox(
            "Give every lead to",
            [0, *active],
            format_func=lambda p: member_names.get(p, "Nobody yet: assign them below"),
            key=key(vendor, "lead_assign_all"),
        )
        partial = st.checkbox(
            "Load the good rows even if some rows have problems",
            key=key(vendor, "lead_partial"),
        )
        submitted = st.form_submit_button("Load leads", type="primary")
    if previous := st.session_state.pop(RESULT_KEY, None):
        _show_report(*previous)
    if not submitted:
        return
    if upload is None:
        st.error("Choose a CSV file first.")
        return
    try:
        text = upload.getvalue().decode("utf-8-sig")
    except UnicodeDecodeError:
        st.error("This file is not UTF-8 text: save it as “CSV UTF-8” and try again.")
        return
    save(
        lambda session: import_campaign_leads(
            session=session, actor=account, vendor=vendor, csv_text=text,
            campaign_key=campaign_key or None, assign_to=assign_to or None,
            all_or_nothing=not partial,
        ),
        errors=ERRORS,
        done=_remember,
    )  # fmt: skip


def _remember(report: CampaignLeadImport) -> str | None:
    """After the rerun: the rows' problems under the form (the form keeps the file and the
    choices), and a success message when leads were created."""
    st.session_state[RESULT_KEY] = (report.summary(), list(report.errors))
    return report.summary() if report.created else None


def _show_report(summary: str, errors: list[tuple[int, str]]) -> None:
    if errors:
        st.error(summary)
        st.dataframe(
            [{"Line": line, "Problem": problem} for line, problem in errors],
            hide_index=True,
        )


def _unassigned(account: AccountPublic, program: Program) -> None:
    vendor, names, active = program.vendor, program.names, program.active
    with Session(get_engine()) as session:
        total = count_unassigned_leads(session=session, actor=account, vendor=vendor)
        leads = list_unassigned_leads(session=session, actor=account, vendor=vendor, limit=PAGE)
    if not leads:
        st.caption("Every lead has a member.")
        return
    campaigns = {c.id: c.name for c in program.campaigns}
    labels = {a.key: a.label for a in get_taxonomy().areas}
    listed = "all listed" if total <= len(leads) else f"the newest {len(leads)} listed"
    st.caption(f"{total:,} lead(s) wait for a member ({listed}).")
    st.dataframe(
        [
            {
                "Lead": lead.id,
                "Received": lead.created_at,
                "Company": lead.company or "",
                "Contact": lead.contact_name,
                "ZIP": lead.zip_code or "",
                "Size": lead.company_size,
                "Needs": ", ".join(labels.get(k, k) for k in lead.needs),
                "Campaign": campaigns.get(lead.campaign_id or 0, ""),
            }
            for lead in leads
        ],
        hide_index=True,
        column_config={
            "Lead": st.column_config.NumberColumn(format="%d", pinned=True),
            "Received": st.column_config.DatetimeColumn("Received (UTC)", format="MMM D, YYYY"),
        },
    )
    if not active:
        st.info("Assigning needs at least one active member.")
        return
    by_id = {lead.id: lead for lead in leads}
    with st.form(key(vendor, "assign_form")):
        chosen = st.multiselect(
            "Leads",
            list(by_id),
            format_func=lambda i: f"#{i} · {by_id[i].company or by_id[i].contact_name}",
            key=key(vendor, "assign_leads"),
        )
        partner_id = st.selectbox(
            "Assign to member", active, format_func=names.__getitem__,
            key=key(vendor, "assign_member"),
        )  # fmt: skip
        submitted = st.form_submit_button("Assign to member", type="primary")
    if not submitted or partner_id is None:
        return
    if not chosen:
        st.error("Choose at least one lead to assign.")
        return

    def assign_all(session: Session) -> int:
        # One transaction: every chosen lead moves, or (on any refusal) none does.
        for lead_id in chosen:
            assign_lead(session=session, actor=account, lead_id=lead_id, partner_id=partner_id)
        return len(chosen)

    save(
        assign_all,
        errors=ERRORS,
        done=lambda n: f"{n} lead(s) assigned to {escape_markdown(names[partner_id])}.",
    )
