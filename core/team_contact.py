"""'Contact this team': one request from a visitor, one linked lead per team member.

Same rules as the single-partner contact form (``core.contact_form``): validated through
``ContactRequest``, plain-word problems, and the per-session rate limit, which a team request
counts once however many partners it reaches.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from core.contact_form import FIELD_LABELS, ContactFormError, check_rate_limit, parse_contact_form
from core.leads import LeadError, submit_team_contact_request
from core.models import ContactRequest, Lead


@dataclass
class TeamContactOutcome:
    request: ContactRequest | None = None
    leads: list[Lead] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # sentences for the visitor

    @property
    def sent(self) -> bool:
        return bool(self.leads)


def send_team_request(
    *,
    session: Session,
    partner_ids: list[int],
    values: Mapping[str, Any],
    sent_at: list[datetime],
    now: datetime,
    limit: int,
) -> TeamContactOutcome:
    """Check the rate limit and the form, then create the team's leads (or say what is wrong).

    ``sent_at`` is the session's own list of send times; a successful request appends ``now``.
    """
    rate = check_rate_limit(sent_at, now=now, limit=limit)
    if not rate.allowed:
        minutes = max(1, int(rate.retry_after.total_seconds() // 60) + 1)
        return TeamContactOutcome(
            problems=[
                f"You have sent {rate.sent_in_window} requests in the last hour. To keep the "
                f"directory free of spam, please try again in {minutes} minutes."
            ]
        )
    try:
        request = parse_contact_form(values)
    except ContactFormError as exc:
        return TeamContactOutcome(
            problems=[f"{FIELD_LABELS.get(f, f)}: {m}" for f, m in exc.errors.items()]
        )
    try:
        leads = submit_team_contact_request(
            session=session, partner_ids=partner_ids, request=request
        )
    except LeadError as exc:
        session.rollback()  # all members or none: no half-sent team request
        return TeamContactOutcome(problems=[str(exc)])
    sent_at.append(now)
    return TeamContactOutcome(request=request, leads=leads)
