"""The anonymous contact form: plain-word validation messages, a per-session rate limit, and
the one send path of both forms (a single partner's profile and "Contact this team").

Validation itself is ``core.models.ContactRequest``; this module turns its errors into one
sentence per field that a visitor understands, and decides whether a session may send
another request (the UI keeps the send times of its own session). A team request counts
once against the rate limit, however many partners it reaches.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session

from core.leads.lifecycle import LeadError, submit_contact_request, submit_team_contact_request
from core.models import ContactRequest, Lead

RATE_WINDOW = timedelta(hours=1)
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


@dataclass(frozen=True)
class RateLimit:
    allowed: bool
    sent_in_window: int
    retry_after: timedelta  # zero when allowed


def check_rate_limit(sent_at: Iterable[datetime], *, now: datetime, limit: int) -> RateLimit:
    """At most ``limit`` requests per session in any rolling hour."""
    recent = sorted(t for t in sent_at if now - t < RATE_WINDOW)
    if len(recent) < limit:
        return RateLimit(True, len(recent), timedelta(0))
    retry = recent[len(recent) - limit] + RATE_WINDOW - now
    return RateLimit(False, len(recent), max(retry, timedelta(0)))


def rate_limit_text(rate: RateLimit) -> str:
    minutes = max(1, int(rate.retry_after.total_seconds() // 60) + 1)
    return (
        f"You have sent {rate.sent_in_window} requests in the last hour. To keep the "
        f"directory free of spam, please try again in {minutes} minutes."
    )


@dataclass
class ContactOutcome:
    """What became of a request: the leads it created, or what the visitor should fix."""

    request: ContactRequest | None = None
    leads: list[Lead] = field(default_factory=list)
    field_errors: dict[str, str] = field(default_factory=dict)  # field -> plain sentence
    problem: str = ""  # a sentence about the request as a whole (rate limit, gone partner)

    @property
    def sent(self) -> bool:
        return bool(self.leads)


def send_contact_request(
    *,
    session: Session,
    partner_ids: list[int],
    team: bool,
    values: Mapping[str, Any],
    sent_at: list[datetime],
    now: datetime,
    limit: int,
) -> ContactOutcome:
    """Check the rate limit and the form, then create the leads (or say what is wrong).

    ``team`` sends one linked lead to each partner (source "team", shared ``team_key``);
    otherwise ``partner_ids`` names the one partner of a profile's form. ``sent_at`` is the
    session's own list of send times; a successful request appends ``now``.
    """
    rate = check_rate_limit(sent_at, now=now, limit=limit)
    if not rate.allowed:
        return ContactOutcome(problem=rate_limit_text(rate))
    try:
        request = parse_contact_form(values)
    except ContactFormError as exc:
        return ContactOutcome(field_errors=exc.errors)
    try:
        if team:
            leads = submit_team_contact_request(
                session=session, partner_ids=partner_ids, request=request
            )
        else:
            (partner_id,) = partner_ids
            leads = [
                submit_contact_request(session=session, partner_id=partner_id, request=request)
            ]
    except LeadError as exc:
        session.rollback()  # all members or none: no half-sent team request
        return ContactOutcome(problem=str(exc))
    sent_at.append(now)
    return ContactOutcome(request=request, leads=leads)
