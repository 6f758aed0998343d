"""The 180-day nudge: "is your profile still correct?", with a one-click link.

The worker asks the database which partners are due (last confirmed 180 or more days ago, no
nudge in the last 180 days, someone to write to) and nudges at most ``NUDGES_PER_PASS`` of
them per pass, one unit of work each. The outbox row is the record that a partner was
nudged: the next pass's query sees it. Several workers: the partner row is locked with SKIP
LOCKED, and each message has a dedup key (partner, month, recipient), so no partner is
nudged twice.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Select, and_, exists, or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from core.db import session_scope
from core.directory.confirmation import LINK_VALID_FOR, issue_still_correct_token
from core.errors import is_database_unavailable
from core.formatting import humanize_age
from core.models import ROLE_PARTNER, Account, OutboxMessage, Partner
from core.notifications.compose import Email
from core.notifications.links import absolute_url
from core.notifications.outbox import enqueue
from core.notifications.recipients import partner_recipients
from core.notifications.unsubscribe import unsubscribe_url
from core.tables import table_of

log = logging.getLogger(__name__)
NUDGE_AFTER_DAYS = 180
NUDGES_PER_PASS = 50
KIND = "profile_nudge"

PARTNER = table_of(Partner)
ACCOUNT = table_of(Account)
OUTBOX = table_of(OutboxMessage)


def _account_emails(partner_id: Any) -> Select[Any]:
    # Accounts have no email field: a partner account whose user name is an address counts.
    return select(ACCOUNT.c.username).where(
        ACCOUNT.c.partner_id == partner_id,
        ACCOUNT.c.role == ROLE_PARTNER,
        ACCOUNT.c.is_active.is_(True),
        ACCOUNT.c.username.like("%@%"),
    )


def due_for_nudge(
    session: Session, now: datetime, *, limit: int = NUDGES_PER_PASS, partner_id: int | None = None
) -> list[int]:
    """Partners to nudge now, by id (the first ``limit``): decided in SQL."""
    cutoff = now - timedelta(days=NUDGE_AFTER_DAYS)
    nudged = exists(
        select(OUTBOX.c.id).where(
            OUTBOX.c.partner_id == PARTNER.c.id,
            OUTBOX.c.kind == KIND,
            OUTBOX.c.created_at > cutoff,
        )
    )
    reachable = or_(
        and_(PARTNER.c.email.is_not(None), PARTNER.c.email != ""),
        exists(_account_emails(PARTNER.c.id)),
    )
    statement = (
        select(PARTNER.c.id)
        .where(
            PARTNER.c.updated_at <= cutoff,  # last confirmed = the latest of the three
            or_(PARTNER.c.verified_at.is_(None), PARTNER.c.verified_at <= cutoff),
            or_(PARTNER.c.confirmed_at.is_(None), PARTNER.c.confirmed_at <= cutoff),
            reachable,
            ~nudged,
        )
        .order_by(PARTNER.c.id)
        .limit(limit)
    )
    if partner_id is not None:
        statement = statement.where(PARTNER.c.id == partner_id)
    return [int(pid) for pid in session.execute(statement).scalars()]


def _nudge_email(name: str, last: datetime, now: datetime, link: str, unsubscribe: str) -> Email:
    return Email(
        subject="Is your Partner Atlas profile still correct?",
        greeting=f"Hello {name},",
        paragraphs=[
            f"Your profile was last updated or confirmed {humanize_age(last, now=now)}. "
            "Customers see how current a profile is, search ranks recently confirmed "
            "profiles higher, and a profile not confirmed for a year is marked stale.",
            "If everything is still correct, open the link below and confirm with one click "
            f"(the link works for {LINK_VALID_FOR.days} days). To change something, sign in "
            "and edit My profile.",
        ],
        actions=[
            ("Yes, my profile is still correct", link),
            ("Edit my profile", absolute_url("my_profile")),
        ],
        unsubscribe_url=unsubscribe,
    )


def _dedup_key(partner_id: int, now: datetime, email: str) -> str:
    who = hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()[:16]
    return f"nudge:{partner_id}:{now:%Y-%m}:{who}"


def nudge_partner(*, session: Session, partner_id: int, now: datetime) -> int:
    """Nudge one due partner in the caller's unit of work; messages written."""
    locked = session.execute(
        select(PARTNER.c.name, PARTNER.c.updated_at, PARTNER.c.verified_at, PARTNER.c.confirmed_at)
        .where(PARTNER.c.id == partner_id)
        .with_for_update(skip_locked=True)
    ).first()
    if locked is None or not due_for_nudge(session, now, partner_id=partner_id):
        return 0  # another worker has it, or nudged it meanwhile
    name, updated, verified, confirmed = locked
    last = max(m for m in (updated, verified, confirmed) if m is not None)
    sent = 0
    for email, _name in partner_recipients(session=session, partner_id=partner_id):
        link = absolute_url(
            "profile_confirm",
            t=issue_still_correct_token(session=session, partner_id=partner_id, now=now),
        )
        message = enqueue(
            session=session,
            kind=KIND,
            to_email=email,
            to_name=name,
            email=_nudge_email(name, _aware(last, now), now, link, _unsub(session, email)),
            essential=False,
            partner_id=partner_id,
            dedup_key=_dedup_key(partner_id, now, email),
        )
        sent += message is not None
    return sent


def _unsub(session: Session, email: str) -> str:
    return unsubscribe_url(session=session, email=email)


def _aware(moment: datetime, now: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=now.tzinfo)


def send_profile_nudges(engine: Engine, now: datetime) -> int:
    """The worker's job: nudge the partners that are due, at most NUDGES_PER_PASS."""
    with session_scope(engine) as session:
        due = due_for_nudge(session, now)
    sent = 0
    for partner_id in due:
        try:
            with session_scope(engine) as session:
                sent += nudge_partner(session=session, partner_id=partner_id, now=now)
                session.commit()
        except (SQLAlchemyError, ValueError) as exc:
            if is_database_unavailable(exc):
                raise  # not this partner's fault: the worker logs the outage once (loop.py)
            # One partner's problem (a bad address, a lost race) must not hold back the
            # others; it is still due, so the next pass tries it again.
            log.exception("profile nudge for partner %s failed", partner_id)
    return sent
