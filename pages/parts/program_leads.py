"""My program › Leads: load campaign responses (CSV) and give unassigned leads to members.

The upload is validated by core.leads.campaign_leads like the partner import: all or
nothing by default, and every bad row named with its line. Until routing exists (the next
issue) the vendor gives each unassigned lead to an active member here.
"""

from __future__ import annotations

import csv
import io

import streamlit as st
from core.leads.campaign_csv import COLUMNS
from core.leads.campaign_leads import CampaignLeadImport, import_campaign_leads

from core.leads.lifecycle import LeadError
from core.models import AccountPublic, CampaignPublic
from core.programs.rules import ProgramError
from core.taxonomy import get_taxonomy
from pages.parts.program_common import key
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
RESULT_KEY = "program_import_result"  # the last import's report, shown after the rerun


def template_csv() -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerow(EXAMPLE)
    return buffer.getvalue().encode("utf-8")


def render_leads(
    account: AccountPublic,
    vendor: str,
    campaigns: list[CampaignPublic],
    member_names: dict[int, str],
    active: list[int],
) -> None:
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
    _upload(account, vendor, campaigns, member_names, active)
    st.subheader("Unassigned leads")
    _unassigned(account, vendor, member_names, active)


def _upload(
    account: AccountPublic,
    vendor: str,
    campaigns: list[CampaignPublic],
    member_names: dict[int, str],
    active: list[int],
) -> None:
    by_key = {c.key: c.name for c in campaigns}
    with st.form(key(vendor, "lead_upload_form")):
        upload = st.file_uploader(
            "Campaign responses (CSV)", type=["csv"], key=key(vendor, "lead_file")
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


def _unassigned(
    account: AccountPublic, vendor: str, member_names: dict[int, str], active: list[int]
) -> None:
    st.caption("(listing follows)")
