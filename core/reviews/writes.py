"""Writing reviews: the customer's review (token + email), the partner's one reply, and
administrators hiding or showing a review with a reason. Each write is audited; each state
change is a guarded UPDATE on the state it starts from, so two clicks cannot both count.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, update
from sqlmodel import Session, col

from core.access import PermissionDenied, ensure_admin, fresh_actor
from core.audit import record_change
from core.models import (
    REVIEW_TEXT_MAX,
    ROLE_PARTNER,
    TOKEN_REVIEW,
    AccountPublic,
    Lead,
    MaxLength,
    Review,
    clean_text,
)
from core.notifications.tokens import TokenError, find_token, use_token

VERIFIED_LABEL = "verified customer"


class ReviewError(ValueError):
    """A review that cannot be written; the message is for the person who tried."""


def _clean(text: str | None, limit: int, what: str) -> str:
    cleaned = clean_text(text) or ""
    if len(cleaned) > limit:
        raise ReviewError(f"{what} has at most {limit} characters.")
    return cleaned


def _rating(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise ReviewError("Choose a rating from 1 to 5 stars.")
    return value


def _won_lead_of(session: Session, raw: str, email: str | None, now: datetime) -> Lead:
    """The won lead the link was sent for, after checking it is this customer asking."""
    token = find_token(session=session, raw=raw, purpose=TOKEN_REVIEW, now=now)
    if token.used_at is not None:
        raise TokenError("This link has been used already: each deal is reviewed once.")
    lead = session.get(Lead, token.lead_id) if token.lead_id is not None else None
    if lead is None or lead.partner_id is None or lead.partner_id != token.partner_id:
        raise TokenError("This link is not valid. Please use the link from your email.")
    if lead.status != "won":
        raise ReviewError("Only a customer of a closed deal can review this partner.")
    if email is not None:
        typed = email.strip().lower()
        # Bound twice: the address the token was issued to, and the lead's customer now.
        if not typed or typed != (token.email or "") or typed != lead.contact_email.lower():
            raise ReviewError("This link was sent to another email address.")
    return lead


def check_review_link(*, session: Session, raw: str, now: datetime) -> int:
    """The partner id a usable review link is for (TokenError / ReviewError otherwise)."""
    lead = _won_lead_of(session, raw, None, now)
    return int(lead.partner_id or 0)


def submit_review(
    *, session: Session, raw: str, email: str, rating: Any, text: str, now: datetime
) -> Review:
    """The customer's review. Checked before the token is spent, so bad input loses nothing."""
    rating = _rating(rating)
    text = _clean(text, REVIEW_TEXT_MAX, "A review")
    lead = _won_lead_of(session, raw, email, now)
    use_token(session=session, raw=raw, purpose=TOKEN_REVIEW, now=now, answer=str(rating))
    row = Review(lead_id=lead.id or 0, partner_id=lead.partner_id or 0, rating=rating,
                 text=text, created_at=now)  # fmt: skip
    session.add(row)
    session.flush()
    record_change(
        session=session, actor=None, actor_label=VERIFIED_LABEL, entity_type="review",
        entity_id=row.id or 0, action="create", before={},
        after={"lead_id": row.lead_id, "partner_id": row.partner_id, "rating": rating,
               "text": text},
    )  # fmt: skip
    return Review.model_validate(row.model_dump())


def _guarded(session: Session, review_id: int, condition: Any, values: dict[str, Any]) -> bool:
    result = session.execute(
        update(Review)
        .where(col(Review.id) == review_id, condition)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


def reply_to_review(
    *, session: Session, actor: AccountPublic | None, review_id: int, text: str, now: datetime
) -> None:
    """The reviewed partner answers, once (a second reply, even at the same moment, fails)."""
    actor = fresh_actor(session, actor)
    row = session.get(Review, review_id)
    if row is None:
        raise ReviewError("That review does not exist.")
    if actor.role != ROLE_PARTNER or actor.partner_id != row.partner_id:
        raise PermissionDenied("Only the reviewed partner may reply to a review.")
    reply = _clean(text, REVIEW_TEXT_MAX, "A reply")
    if not reply:
        raise ReviewError("Write a reply first.")
    if not _guarded(session, review_id, col(Review.reply).is_(None),
                    {"reply": reply, "replied_at": now}):  # fmt: skip
        raise ReviewError("This review has a reply already: a partner replies once.")
    record_change(session=session, actor=actor, entity_type="review", entity_id=review_id,
                  action="reply", before={"reply": None}, after={"reply": reply})  # fmt: skip


def set_review_hidden(
    *,
    session: Session,
    actor: AccountPublic | None,
    review_id: int,
    hidden: bool,
    reason: str = "",
    now: datetime,
) -> None:
    """An administrator hides a review (a reason is required) or shows it again."""
    actor = ensure_admin(fresh_actor(session, actor))
    row = session.get(Review, review_id)
    if row is None:
        raise ReviewError("That review does not exist.")
    reason = _clean(reason, MaxLength.NOTE, "A reason")
    if hidden and not reason:
        raise ReviewError("Say why the review is hidden.")
    before = {"hidden_at": row.hidden_at, "hidden_reason": row.hidden_reason}
    if hidden:
        values = {"hidden_at": now, "hidden_reason": reason, "hidden_by": actor.id}
        condition = col(Review.hidden_at).is_(None)
    else:
        values = {"hidden_at": None, "hidden_reason": None, "hidden_by": None}
        condition = col(Review.hidden_at).is_not(None)
    if not _guarded(session, review_id, condition, values):
        raise ReviewError("This review was changed meanwhile. Reload and try again.")
    record_change(
        session=session, actor=actor, entity_type="review", entity_id=review_id,
        action="hide" if hidden else "unhide", before=before,
        after={"hidden_at": values["hidden_at"], "hidden_reason": values["hidden_reason"]}
        | ({} if hidden else {"reason": reason or None}),
    )  # fmt: skip
