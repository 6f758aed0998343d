"""Outbox (administrators): every email the app wrote, its delivery state, its text, and a
retry for a message that failed."""

from __future__ import annotations

import streamlit as st
from sqlmodel import Session

from core.formatting import escape_markdown
from core.models import OUTBOX_FAILED, OUTBOX_STATUSES, ROLE_ADMIN
from core.notifications.outbox_view import list_outbox, outbox_counts, retry_message
from core.settings import get_settings
from pages import get_engine, setup_page
from pages.parts.saving import save, show_saved

account = setup_page("Outbox", "📤", roles=(ROLE_ADMIN,))
assert account is not None
LIMIT = 200
STATUS_LABELS = {
    "pending": "Pending",
    "sent": "Sent",
    "failed": "Failed",
    "suppressed": "Suppressed (unsubscribed)",
}

show_saved()
if not get_settings().smtp_url:
    st.info(
        "ATLAS_SMTP_URL is not set, so no email leaves the app: messages stay here (and in "
        "`python -m core outbox`). Set it, e.g. smtp://user:password@mail.example.com:587, "
        "and the worker (`python -m core worker`) delivers what is pending."
    )

with Session(get_engine()) as session:
    counts = outbox_counts(session=session, actor=account)
for column, status in zip(st.columns(len(OUTBOX_STATUSES)), OUTBOX_STATUSES, strict=True):
    column.metric(STATUS_LABELS[status], f"{counts[status]:,}")

if not sum(counts.values()):
    st.info("The outbox is empty: no email has been written yet.")
    st.stop()

status = st.selectbox(
    "Status",
    options=["", *OUTBOX_STATUSES],
    format_func=lambda s: STATUS_LABELS.get(s, "Every status"),
    key="outbox_status",
)
with Session(get_engine()) as session:
    messages = list_outbox(session=session, actor=account, status=status or None, limit=LIMIT)
if not messages:
    st.info("No message has this status.")
    st.stop()

st.caption(f"The newest {len(messages):,} message(s), newest first.")
st.dataframe(
    [
        {
            "Id": m.id,
            "To": m.to_email,
            "Subject": m.subject,
            "Kind": m.kind,
            "Status": m.status,
            "Attempts": m.attempts,
            "Last error": m.last_error,
            "Created (UTC)": m.created_at,
            "Sent (UTC)": m.sent_at,
        }
        for m in messages
    ],
    hide_index=True,
)

by_id = {m.id: m for m in messages}
chosen = st.selectbox(
    "Read message",
    options=list(by_id),
    format_func=lambda i: f"#{i} · {by_id[i].status} · {by_id[i].subject[:80]}",
    key="outbox_message",
)
message = by_id[chosen]
# Names and addresses are user text: escaped, so they cannot turn into markdown links.
st.caption(
    f"To {escape_markdown(message.to_name)} · {escape_markdown(message.to_email)} · "
    f"Message-ID `{message.message_id}`"
)
# The plain-text part, as text: the HTML part is never rendered here.
st.code(message.text_body, language=None, wrap_lines=True)
if message.status == OUTBOX_FAILED:
    st.caption(f"Failed after {message.attempts} attempt(s): {message.last_error}")
    if st.button("Retry now", key="outbox_retry", type="primary"):
        save(
            lambda session: retry_message(session=session, actor=account, message_id=message.id),
            done=lambda queued: (
                f"Message #{message.id} is queued again; the worker sends it on its next pass."
                if queued
                else f"Message #{message.id} was not failed any more; nothing changed."
            ),
        )
