"""A profile's "last confirmed" time, and confirming it from the "still correct" link.

One notion of "last confirmed" everywhere (search freshness, the stale mark, the 180-day
nudge): the latest of ``updated_at``, ``confirmed_at`` and ``verified_at``. Issue 13 keeps
the two stamps apart: ``verified_at`` only when an administrator verified the profile (their
save, core.directory.profiles), ``confirmed_at`` when the partner itself confirmed it (its
own save, or this link). Publicly the first reads "verified by an administrator", the
second "confirmed current by the partner". The link moves ``confirmed_at`` only, with an
audit event "confirm".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col

from core.audit import record_change
from core.models import TOKEN_STILL_CORRECT, Partner
from core.notifications.tokens import TokenError, find_token, issue_token, use_token

LINK_VALID_FOR = timedelta(days=30)
LINK_LABEL = "still-correct link (partner email)"  # the audit trail's actor


@dataclass(frozen=True)
class Confirmed:
    partner_id: int
    name: str
    confirmed_at: datetime


def issue_still_correct_token(*, session: Session, partner_id: int, now: datetime) -> str:
    return issue_token(
        session=session,
        purpose=TOKEN_STILL_CORRECT,
        valid_for=LINK_VALID_FOR,
        partner_id=partner_id,
        now=now,
    )


def partner_of_link(*, session: Session, raw: str, now: datetime) -> Confirmed:
    """Whose profile a link confirms, without using it (the page shows the name first).
    TokenError when the link is unknown, expired or already used."""
    row = find_token(session=session, raw=raw, purpose=TOKEN_STILL_CORRECT, now=now)
    if row.used_at is not None:
        raise TokenError("This link has been used already. Thank you, your profile is confirmed.")
    partner = session.get(Partner, row.partner_id) if row.partner_id is not None else None
    if partner is None:
        raise TokenError("This partner is no longer in the directory.")
    return Confirmed(int(row.partner_id or 0), partner.name, partner.confirmed_at or now)


def confirm_still_correct(*, session: Session, raw: str, now: datetime) -> Confirmed:
    """Use the link once (TokenError otherwise) and record the confirmation in the same unit
    of work; the unit of work bumps the data version, so search drops the stale mark."""
    row = use_token(session=session, raw=raw, purpose=TOKEN_STILL_CORRECT, now=now, answer="yes")
    partner = session.get(Partner, row.partner_id) if row.partner_id is not None else None
    if partner is None:
        raise TokenError("This partner is no longer in the directory.")
    before = partner.confirmed_at
    session.execute(
        update(Partner)
        .where(col(Partner.id) == partner.id)
        .values(confirmed_at=now)
        .execution_options(synchronize_session=False)
    )
    record_change(
        session=session,
        actor=None,
        actor_label=LINK_LABEL,
        entity_type="partner",
        entity_id=int(partner.id or 0),
        action="confirm",
        before={"confirmed_at": before},
        after={"confirmed_at": now},
    )
    return Confirmed(int(partner.id or 0), partner.name, now)
