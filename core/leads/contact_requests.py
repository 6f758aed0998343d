"""The anonymous contact form: plain-word validation messages and the one send path of both
forms (a single partner's profile and "Contact this team").

Validation itself is ``core.models.ContactRequest``; this module turns its errors into one
sentence per field that a visitor understands. Sending checks the honeypot, the rate limit
in the database (core.leads.contact_limits), merges a repeated request into the earlier
lead (core.leads.merging) and writes the messages with the leads
(core.leads.contact_messages).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session

from core.leads.contact_limits import (
    check_rate_limit,
    rate_limit_text,
    record_attempt,
    visitor_key,
)
from core.leads.contact_messages import notify_contact_request
from core.leads.lifecycle import (
    LeadError,
    detached,
    submit_contact_request,
    submit_team_contact_request,
)
from core.leads.merging import MergeConflict, find_duplicate, merge_into
from core.models import ContactRequest, Lead

FIELD_LABELS = {
    "contact_name": "Your name",
    "contact_email": "Email",
    "company_size": "Company size",
    "needs": "What you need",
    "message": "Message",
}
# Limits shown on the form (max_chars) are the model's own, so they cannot drift apart.
MAX_LENGTHS = {
    name: next(
        (
            m.max_length
            for m in ContactRequest.model_fields[name].metadata
            if hasattr(m, "max_length")
        ),
        None,
    )
    for name in ("contact_name", "contact_email", "message")
}


class ContactFormError(ValueError):
    """The form has problems; ``errors`` maps each field to a sentence for the visitor."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{FIELD_LABELS.get(k, k)}: {v}" for k, v in errors.items()))


def _plain(field: str, error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    context = error.get("ctx") or {}
    if kind == "string_too_short":
        if field == "contact_name":
            return "please enter your name (at least 2 characters)."
        return f"please enter at least {context.get('min_length', 1)} characters."
    if kind == "string_too_long":
        return f"at most {context.get('max_length'):,} characters, please shorten it."
    if field == "needs" and kind in ("too_short", "missing"):
        return "choose at least one thing you need."
    if field == "contact_email":
        return "enter an address like name@example.com, so they can answer you."
    if kind in ("missing", "string_type", "none_required") and field == "company_size":
        return "choose your company size."
    if kind == "missing":
        return "this field is required."
    message = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
    return message[:1].lower() + message[1:] + ("" if message.endswith(".") else ".")


def parse_contact_form(values: Mapping[str, Any]) -> ContactRequest:
    """Validate what the visitor typed; raise ContactFormError with one sentence per field."""
    try:
        return ContactRequest.model_validate(dict(values))
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "form"
            errors.setdefault(field, _plain(field, error))
        ordered = {k: errors[k] for k in FIELD_LABELS if k in errors}
        ordered.update({k: v for k, v in errors.items() if k not in ordered})
        raise ContactFormError(ordered) from exc


@dataclass
class ContactOutcome:
    """What became of a request: the leads it created or added to, or what to fix."""

    request: ContactRequest | None = None
    leads: list[Lead] = field(default_factory=list)
    merged: list[int] = field(default_factory=list)  # ids of earlier leads it was added to
    dropped: bool = False  # the honeypot was filled: told "sent", nothing written
    field_errors: dict[str, str] = field(default_factory=dict)  # field -> plain sentence
    problem: str = ""  # a sentence about the request as a whole (rate limit, gone partner)

    @property
    def sent(self) -> bool:
        return bool(self.leads) or self.dropped

    @property
    def notice(self) -> str:
        """What the visitor is told beyond "sent" (empty when nothing special happened)."""
        if self.merged and len(self.merged) == len(self.leads):
            return (
                "You sent this request less than 24 hours ago: we added this to your earlier "
                "request, so the partner has it once."
            )
        if self.merged:
            return (
                "Some of these partners already had this request from you in the last 24 "
                "hours: we added this to your earlier request there."
            )
        return ""


def _create_or_merge(
    session: Session, partner_ids: list[int], team: bool, request: ContactRequest, now: datetime
) -> tuple[list[Lead], list[int], list[Lead]]:
    """All leads of the request (new and merged), the merged ids, and the new leads only."""
    ids = list(dict.fromkeys(int(pid) for pid in partner_ids))
    if not team and len(ids) != 1:
        raise LeadError("A contact request goes to one partner.")
    duplicates = {
        pid: lead
        for pid in ids
        if (lead := find_duplicate(session=session, partner_id=pid, request=request, now=now))
    }
    fresh = [pid for pid in ids if pid not in duplicates]
    new: list[Lead] = []
    if fresh and team:
        new = submit_team_contact_request(
            session=session, partner_ids=fresh, request=request, now=now
        )
    elif fresh:
        new = [
            submit_contact_request(session=session, partner_id=fresh[0], request=request, now=now)
        ]
    merged = [detached(merge_into(session=session, lead=lead, request=request, now=now))
              for lead in duplicates.values()]  # fmt: skip
    by_partner = {lead.partner_id: lead for lead in [*new, *merged]}
    return [by_partner[pid] for pid in ids], [lead.id or 0 for lead in merged], new


def send_contact_request(
    *,
    session: Session,
    partner_ids: list[int],
    team: bool,
    values: Mapping[str, Any],
    visitor_address: str | None,
    session_id: str,
    now: datetime,
    limit: int,
    honeypot: str = "",
) -> ContactOutcome:
    """Check the form, the honeypot and the rate limit, then create the leads (or add to
    identical ones of the last 24 hours) with their messages, in the caller's transaction.

    ``team`` sends one linked lead to each partner (source "team", shared ``team_key``);
    otherwise ``partner_ids`` names the one partner of a profile's form. The rate limit
    counts the visitor (``visitor_address``, or ``session_id`` when the address is unknown)
    and the email typed, across sessions; a team request counts once.
    """
    try:
        request = parse_contact_form(values)
    except ContactFormError as exc:
        return ContactOutcome(field_errors=exc.errors)
    if honeypot.strip():
        # A field no person sees was filled: a form-filling bot. It is told "sent" so it
        # learns nothing, and nothing is written (no lead, no message, no attempt).
        return ContactOutcome(request=request, dropped=True)
    visitor = visitor_key(address=visitor_address, session_id=session_id)
    rate = check_rate_limit(
        session=session, visitor=visitor, email=request.contact_email, now=now, limit=limit
    )
    if not rate.allowed:
        return ContactOutcome(problem=rate_limit_text(rate))
    try:
        leads, merged, new = _create_or_merge(session, partner_ids, team, request, now)
    except (LeadError, MergeConflict) as exc:
        session.rollback()  # all members or none: no half-sent team request
        return ContactOutcome(problem=str(exc))
    record_attempt(session=session, visitor=visitor, email=request.contact_email, now=now)
    if new:
        # A merged request was announced already; only new leads are news to anybody.
        notify_contact_request(session=session, leads=new, request=request)
    return ContactOutcome(request=request, leads=leads, merged=merged)
