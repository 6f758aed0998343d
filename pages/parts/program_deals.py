"""My program › Deal registrations: the pending queue, each with its conflicts shown before
the vendor decides. An approval protects the partner for a number of days (the catalogue's
default unless changed); a denial needs a note the partner reads."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from sqlmodel import Session

from core.formatting import escape_markdown
from core.models import (
    DEAL_APPROVED,
    DEAL_PENDING,
    AccountPublic,
    DealRegistrationPublic,
    MaxLength,
)
from core.programs.deals import (
    DealConflict,
    approve_deal,
    deal_conflicts,
    deny_deal,
    list_deals,
)
from core.programs.rules import ProgramError
from core.taxonomy import get_taxonomy
from pages import get_engine
from pages.parts.program_common import Program, key
from pages.parts.saving import save

ERRORS = (ProgramError,)
MAX_CHECKED = 100  # registrations whose conflicts the queue table counts


def render_deals(account: AccountPublic, program: Program) -> None:
    vendor, member_names = program.vendor, program.names
    with Session(get_engine()) as session:
        deals = list_deals(session=session, actor=account, vendor=vendor)

    def who(partner_id: int) -> str:
        return member_names.get(partner_id, f"Partner #{partner_id}")

    pending = [d for d in deals if d.status == DEAL_PENDING]
    st.subheader("Registrations waiting for you")
    if not pending:
        st.caption("No deal registration is waiting.")
    else:
        # Conflicts counted for the whole queue, so they show before anything is opened.
        with Session(get_engine()) as session:
            clashes = {
                d.id: deal_conflicts(session=session, actor=account, deal_id=d.id)
                for d in pending[:MAX_CHECKED]
            }
        st.dataframe(
            [
                {
                    "Partner": who(d.partner_id),
                    "Conflicts": len(clashes.get(d.id, ())),
                    "Customer": d.customer_company,
                    "Value": d.value_usd,
                    "ZIP": d.zip_code,
                    "Product lines": ", ".join(d.product_lines),
                    "Expected close": d.expected_close_on,
                }
                for d in pending
            ],
            hide_index=True,
            column_config={
                "Partner": st.column_config.TextColumn(pinned=True, width=180),
                "Conflicts": st.column_config.NumberColumn(
                    help="Other partners' pending or protected registrations of this customer"
                ),
                "Value": st.column_config.NumberColumn(format="dollar"),
            },
        )
        by_id = {d.id: d for d in pending}
        # Conflicted registrations first in the picker: those need the vendor's judgement.
        order = sorted(by_id, key=lambda i: -len(clashes.get(i, ())))
        chosen = st.selectbox(
            "Registration to decide",
            order,
            format_func=lambda i: (
                f"#{i} · {by_id[i].customer_company} · {who(by_id[i].partner_id)}"
                + (" · ⚠ conflict" if clashes.get(i) else "")
            ),
            key=key(vendor, "deal_pick"),
        )
        if chosen is not None:
            _decide(account, vendor, by_id[chosen], who, clashes.get(chosen))

    protected = [d for d in deals if d.status == DEAL_APPROVED]
    with st.expander(f"Approved registrations ({len(protected)})"):
        st.dataframe(
            [
                {
                    "Partner": who(d.partner_id),
                    "Customer": d.customer_company,
                    "ZIP": d.zip_code,
                    "Value": d.value_usd,
                    "Protected until": d.protected_until,
                }
                for d in protected
            ],
            hide_index=True,
            column_config={"Value": st.column_config.NumberColumn(format="dollar")},
        )


def _decide(
    account: AccountPublic,
    vendor: str,
    deal: DealRegistrationPublic,
    who: Callable[[int], str],
    conflicts: list[DealConflict] | None,
) -> None:
    if conflicts is None:  # beyond the first MAX_CHECKED of the queue
        with Session(get_engine()) as session:
            conflicts = deal_conflicts(session=session, actor=account, deal_id=deal.id)
    # The conflicts come first, above the buttons: the vendor sees them before deciding.
    if conflicts:
        protecting = [c for c in conflicts if c.protected_until is not None]
        if protecting:
            first = protecting[0]
            st.warning(
                f"{escape_markdown(first.partner_name)} already holds this customer: its "
                f"registration #{first.deal_id} is protected until "
                f"{first.protected_until:%b %-d, %Y}. This one cannot be approved before that "
                "ends; deny it with a note for the partner."
            )
        else:
            st.warning(
                f"{len(conflicts)} other pending registration(s) for the same customer and "
                "ZIP. Approving this one first gives its partner the protection; decide "
                "which partner gets the deal."
            )
        st.dataframe(
            [
                {
                    "Registration": f"#{c.deal_id}",
                    "Partner": c.partner_name,
                    "Status": c.status,
                    "Protected until": c.protected_until,
                    "Registered": c.registered_at,
                    "Value": c.value_usd,
                }
                for c in conflicts
            ],
            hide_index=True,
            column_config={
                "Registered": st.column_config.DatetimeColumn(format="MMM D, YYYY"),
                "Value": st.column_config.NumberColumn(format="dollar"),
            },
        )
    else:
        st.success("No other partner has registered this customer at this ZIP.")
    with st.form(key(vendor, f"deal_form_{deal.id}")):
        days = st.number_input(
            "Protection (days)", min_value=1, max_value=730,
            value=get_taxonomy().deal_protection_days, step=1, key=key(vendor, "deal_days"),
        )  # fmt: skip
        note = st.text_input(
            "Note (required to deny)", max_chars=MaxLength.NOTE, key=key(vendor, "deal_note")
        )
        left, right = st.columns(2)
        approve = left.form_submit_button("Approve registration", type="primary")
        deny = right.form_submit_button("Deny registration")
    customer = escape_markdown(deal.customer_company)
    if approve:
        save(
            lambda session: approve_deal(
                session=session, actor=account, deal_id=deal.id, seen_version=deal.version,
                protection_days=int(days), note=note,
            ),
            errors=ERRORS,
            done=lambda d: f"Approved: {escape_markdown(who(d.partner_id))} is protected on "
            f"{customer} until {d.protected_until:%b %d, %Y}.",
        )  # fmt: skip
    elif deny:
        save(
            lambda session: deny_deal(
                session=session, actor=account, deal_id=deal.id, seen_version=deal.version,
                note=note,
            ),
            errors=ERRORS,
            done=f"The registration for {customer} was denied.",
        )  # fmt: skip
