"""My profile's issue-13 fields: industries served, languages, delivery, accepting new clients.

Drawn inside the editor's form; widget keys come from the page (they carry its version).
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from core.directory.profile_fields import FIELD_LABELS
from core.partner_attributes import get_attributes


def attribute_fields(key: Callable[[str], str], field_error: Callable[[str], None]) -> None:
    attributes = get_attributes()
    c1, c2 = st.columns(2)
    with c1:
        st.multiselect(
            FIELD_LABELS["industries"],
            options=list(attributes.industries),
            format_func=attributes.industry_label,
            key=key("industries"),
        )
        field_error("industries")
        st.selectbox(
            FIELD_LABELS["delivery"],
            options=["", *attributes.delivery],
            format_func=attributes.delivery_label,
            key=key("delivery"),
            help="Remote, on-site at the customer, or both.",
        )
        field_error("delivery")
    with c2:
        st.multiselect(
            FIELD_LABELS["languages"],
            options=list(attributes.languages),
            format_func=attributes.language_label,
            key=key("languages"),
            help="Languages you serve customers in.",
        )
        field_error("languages")
        st.checkbox(
            FIELD_LABELS["accepting_new_clients"],
            key=key("accepting_new_clients"),
            help="Untick while you cannot take on new customers; search can filter on it.",
        )
