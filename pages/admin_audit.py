"""Audit trail (administrators): who changed what and when, before and after per field."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta

import streamlit as st
from sqlmodel import Session

from core.audit import ENTITY_TYPES, AuditFilter, count_audit_events, list_audit_events
from core.models import ROLE_ADMIN, MaxLength
from pages import get_engine, setup_page

account = setup_page("Audit trail", "📜", roles=(ROLE_ADMIN,))
assert account is not None
PAGE_SIZE = 100


def as_text(value: object) -> str:
    """A stored value as plain text; JSON for lists and objects."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


c1, c2, c3 = st.columns(3)
entity_type = c1.selectbox(
    "What", options=["", *ENTITY_TYPES], format_func=lambda e: e or "Everything", key="audit_type"
)
entity_id = c2.text_input(
    "Id (partner, account, lead …)", max_chars=MaxLength.AUDIT_ENTITY_ID, key="audit_id"
)
actor = c3.text_input(
    "Who (part of a username)", max_chars=MaxLength.ACTOR_LABEL, key="audit_actor"
)
c1, c2, c3 = st.columns(3)
since = c1.date_input("From", value=None, key="audit_since")
until = c2.date_input("Until (inclusive)", value=None, key="audit_until")
text = c3.text_input("Containing text", max_chars=200, key="audit_text")

filters = AuditFilter(
    entity_type=entity_type or None,
    entity_id=entity_id.strip() or None,
    actor=actor.strip() or None,
    since=datetime.combine(since, time.min, tzinfo=UTC) if since else None,
    until=datetime.combine(until, time.min, tzinfo=UTC) + timedelta(days=1) if until else None,
    text=text.strip() or None,
)
with Session(get_engine()) as session:
    total = count_audit_events(session=session, viewer=account, filters=filters)
pages = max(1, -(-total // PAGE_SIZE))
page_no = st.number_input(
    f"Page (of {pages})", min_value=1, max_value=pages, value=1, key=f"audit_page_{pages}"
)
with Session(get_engine()) as session:
    events = list_audit_events(
        session=session,
        viewer=account,
        filters=filters,
        limit=PAGE_SIZE,
        offset=(int(page_no) - 1) * PAGE_SIZE,
    )

st.caption(f"{total:,} event(s)")
if not events:
    st.info("No audit events match these filters.")
    st.stop()

st.dataframe(
    [
        {
            "Event": e.id,
            "When (UTC)": e.at,
            "Who": e.actor_label,
            "What": e.entity_type,
            "Id": e.entity_id,
            "Action": e.action,
            "Fields": ", ".join(e.changes),
        }
        for e in events
    ],
    hide_index=True,
)

by_id = {e.id: e for e in events}
chosen = st.selectbox(
    "Show before and after of event",
    options=list(by_id),
    format_func=lambda i: f"#{i} · {by_id[i].action} {by_id[i].entity_type} {by_id[i].entity_id}",
    key="audit_event",
)
event = by_id[chosen]
if event.changes:
    st.dataframe(
        [
            {"Field": field, "Before": as_text(v.get("before")), "After": as_text(v.get("after"))}
            for field, v in event.changes.items()
        ],
        hide_index=True,
    )
else:
    st.write("This event changed no field values.")
