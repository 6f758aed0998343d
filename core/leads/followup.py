"""Three days after a contact request: "did the partner contact you?" with one-click answers.

The worker's job (core.worker.jobs) finds the due leads in the database — directory and
team leads created more than three days ago, in a window of a week so an old backlog (or
demo data) is never mailed, without a follow-up yet — and writes one non-essential
message per lead with a yes link, a no link (one single-use token) and an unsubscribe
link. The message's ``dedup_key`` is unique, and each lead is locked while its message is
written, so two workers never send it twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Engine, String, cast, exists, literal
from sqlmodel import Session, col, select

from core.db import session_scope
from core.leads.contact_messages import FOLLOWUP_AFTER
from core.leads.merging import MERGED_SOURCES
from core.models import TOKEN_CONTACTED, Lead, OutboxMessage, Partner
from core.notifications.compose import Email
from core.notifications.links import absolute_url
from core.notifications.outbox import enqueue
from core.notifications.tokens import issue_token
from core.notifications.unsubscribe import unsubscribe_url

FOLLOWUP_KIND = "customer_followup"
ANSWER_VALID_FOR = timedelta(days=30)
# Leads older than this past the three days are not asked any more (a worker that was down
# for a long time, or imported history, does not mail a backlog of stale questions).
CATCH_UP = timedelta(days=7)
BATCH = 50


def followup_key(lead_id: int) -> str:
    return f"followup:{lead_id}"


def _not_followed_up() -> ColumnElement[bool]:
    key = literal("followup:") + cast(Lead.id, String)  # matches followup_key(), by index
    return ~exists().where(col(OutboxMessage.dedup_key) == key)


def due_followups(*, session: Session, now: datetime, limit: int = BATCH) -> list[int]:
    """Ids of leads whose follow-up is due at ``now``, oldest first, at most ``limit``."""
    due_before = now - FOLLOWUP_AFTER
    ids = session.exec(
        select(Lead.id)
        .where(
            col(Lead.source).in_(MERGED_SOURCES),
            col(Lead.partner_id).is_not(None),
            col(Lead.created_at) <= due_before,
            col(Lead.created_at) > due_before - CATCH_UP,
            _not_followed_up(),
        )
        .order_by(col(Lead.created_at), col(Lead.id))
        .limit(limit)
    ).all()
    return [int(i) for i in ids if i is not None]


def _followup_email(
    *, name: str, partner: str, asked: datetime, yes: str, no: str, unsubscribe: str
) -> Email:
    return Email(
        subject=f"Did {partner} contact you?",
        greeting=f"Hello {name},",
        paragraphs=[
            f"On {asked:%B} {asked.day} you asked {partner} to contact you through Partner Atlas. "
            "Did they? One click answers; your answer helps other customers see which "
            "partners respond.",
        ],
        actions=[(f"Yes, {partner} contacted me", yes), ("No, not yet", no)],
        unsubscribe_url=unsubscribe,
    )


def send_followup(*, session: Session, lead_id: int, now: datetime) -> bool:
    """Write the follow-up of one lead; False when it is not due (any more) or another
    worker holds or wrote it."""
    row = session.exec(
        select(Lead, Partner.name)
        .join(Partner, col(Partner.id) == Lead.partner_id)
        .where(col(Lead.id) == lead_id, _not_followed_up())
        .with_for_update(skip_locked=True, of=Lead)
    ).first()
    if row is None:
        return False
    lead, partner_name = row
    raw = issue_token(session=session, purpose=TOKEN_CONTACTED, lead_id=lead_id,
                      valid_for=ANSWER_VALID_FOR, now=now)  # fmt: skip
    email = _followup_email(
        name=lead.contact_name,
        partner=partner_name,
        asked=lead.created_at,
        yes=absolute_url("email_link", do="contacted", t=raw, a="yes"),
        no=absolute_url("email_link", do="contacted", t=raw, a="no"),
        unsubscribe=unsubscribe_url(session=session, email=lead.contact_email, now=now),
    )
    message = enqueue(session=session, kind=FOLLOWUP_KIND, to_email=lead.contact_email,
                      to_name=lead.contact_name, email=email, essential=False,
                      partner_id=lead.partner_id, lead_id=lead_id,
                      dedup_key=followup_key(lead_id))  # fmt: skip
    return message is not None


class _NotSent(Exception):
    """Rolls back a follow-up's tokens when its message was not written."""


def run_followups(engine: Engine, now: datetime) -> int:
    """The worker's job: every due follow-up, one unit of work each."""
    with Session(engine) as session:
        due = due_followups(session=session, now=now)
    sent = 0
    for lead_id in due:
        try:
            with session_scope(engine) as session:
                if not send_followup(session=session, lead_id=lead_id, now=now):
                    raise _NotSent
        except _NotSent:
            continue
        sent += 1
    return sent
