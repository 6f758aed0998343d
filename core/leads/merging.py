"""Identical contact requests are merged, not duplicated.

A visitor who sends the same request to the same partner again within 24 hours (same
email, any case; same needs, in any order) adds to the lead it already has: the partner
gets one lead to answer, and a new message text is appended to it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import CursorResult, func, update
from sqlmodel import Session, col, select

from core.audit import ANONYMOUS_LABEL, record_change
from core.models import ContactRequest, Lead, MaxLength

MERGE_WINDOW = timedelta(hours=24)
# Only requests from the directory (a profile or a team) are merged; a vendor's leads are not
# the visitor's to add to.
MERGED_SOURCES = ("directory", "team")
SEPARATOR = "\n\n"


class MergeConflict(RuntimeError):
    """The earlier lead's message changed while this request was merged into it."""


def same_needs(a: list[str], b: list[str]) -> bool:
    return sorted(set(a)) == sorted(set(b))


def merged_message(earlier: str, new: str, *, max_length: int = MaxLength.MESSAGE) -> str:
    """The earlier message with the new text appended when it says something new; what
    does not fit in ``max_length`` is cut from the new text, never from the earlier one."""
    new = new.strip()
    if not new or new == earlier.strip() or new in earlier:
        return earlier
    if not earlier.strip():
        return new[:max_length]
    room = max_length - len(earlier) - len(SEPARATOR)
    if room <= 0:
        return earlier
    return earlier + SEPARATOR + new[:room]


def find_duplicate(
    *, session: Session, partner_id: int, request: ContactRequest, now: datetime
) -> Lead | None:
    """The partner's lead from the same email with the same needs in the last 24 hours."""
    candidates = session.exec(
        select(Lead)
        .where(
            col(Lead.partner_id) == partner_id,
            func.lower(col(Lead.contact_email)) == request.contact_email.strip().lower(),
            col(Lead.created_at) > now - MERGE_WINDOW,
            col(Lead.source).in_(MERGED_SOURCES),
        )
        .order_by(col(Lead.created_at).desc(), col(Lead.id).desc())
        .limit(20)  # the rate limit keeps these few; needs are a JSON list, compared here
    ).all()
    return next((lead for lead in candidates if same_needs(lead.needs, request.needs)), None)


def merge_into(*, session: Session, lead: Lead, request: ContactRequest, now: datetime) -> Lead:
    """Add the request to ``lead`` (guarded on the message it had) with a lead event."""
    before = lead.message
    after = merged_message(before, request.message)
    if after != before:
        result = session.execute(
            update(Lead)
            .where(col(Lead.id) == lead.id, col(Lead.message) == before)
            .values(message=after, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        assert isinstance(result, CursorResult)
        if result.rowcount != 1:
            raise MergeConflict("Your earlier request changed meanwhile. Please send it again.")
        session.refresh(lead)
    record_change(
        session=session,
        actor=None,
        actor_label=ANONYMOUS_LABEL,
        entity_type="lead",
        entity_id=lead.id or 0,
        action="merge_request",
        before={"message": before, "merged_request_at": None},
        after={"message": after, "merged_request_at": now},
    )
    return lead
