"""My programs, section "Sharing figures": one switch per vendor for revenue and headcount.

The switch's widget key carries the stored setting, so after a save the rerun draws a fresh
switch from what is stored now (and a refused save leaves the stored setting in charge).
Revoking needs no confirmation and no version: it must always win at once (core.programs
.consent).
"""

from __future__ import annotations

import streamlit as st

from core.formatting import escape_markdown
from core.models import PROGRAM_ACTIVE, AccountPublic
from core.programs.consent import set_figures_consent
from core.programs.listing import PartnerProgram
from core.programs.rules import ProgramError
from pages.parts.saving import save

EXPLAINED = """\
- **Always**, while you are an active member: the vendor sees your program data (tier, the
  leads it sent you, the deals you registered with it, the funds it granted you) and your
  public profile.
- **Only while its switch is on**: your business figures (yearly revenue and its growth,
  headcount, and the co-marketing funds you received from all vendors together).
- **Switching off works at once**: from the vendor's next page view on, your figures are
  gone from its screens, exports and reports.
"""


def consent_section(
    *, account: AccountPublic, partner_id: int, programs: list[PartnerProgram]
) -> None:
    st.markdown(EXPLAINED)
    # Active members, and any vendor still holding a consent (say, after the membership
    # ended), so a partner can always take a consent back.
    shown = [p for p in programs if p.status == PROGRAM_ACTIVE or p.figures_consent]
    if not shown:
        st.info("Once you are an active member of a vendor's program, its switch appears here.")
        return
    for program in shown:
        vendor, granted = program.vendor, program.figures_consent
        with st.container(border=True):
            wanted = st.toggle(
                f"Let {vendor} see my revenue and headcount",
                value=granted,
                key=f"pp_consent_{partner_id}_{vendor}_{int(granted)}",
            )
            name = escape_markdown(vendor)
            if program.status != PROGRAM_ACTIVE:
                st.caption(
                    f"You are not an active member of {name}'s program, so {name} sees none "
                    "of your figures either way."
                )
            elif granted:
                st.caption(f"**On:** {name} sees your business figures next to your program data.")
            else:
                st.caption(f"**Off:** {name} sees your program data, not your business figures.")
        if wanted != granted:
            save(
                lambda session, vendor=vendor, wanted=wanted: set_figures_consent(
                    session=session,
                    actor=account,
                    partner_id=partner_id,
                    vendor=vendor,
                    granted=wanted,
                ),
                errors=(ProgramError,),
                done=(
                    f"{vendor} may now see your revenue and headcount."
                    if wanted
                    else f"{vendor} no longer sees your revenue and headcount, from now on."
                ),
            )
