"""Reading reviews: what a public profile shows (visible reviews, average and count,
aggregated in the database), per-partner summaries in bulk for search, and the
administrators' moderation list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from core.access import ensure_admin, fresh_actor
from core.models import AccountPublic, Partner, Review


@dataclass(frozen=True)
class ReviewView:
    id: int
    partner_id: int
    partner_name: str
    rating: int
    text: str
    created_at: datetime
    reply: str | None
    replied_at: datetime | None
    hidden_at: datetime | None = None
    hidden_reason: str | None = None


@dataclass(frozen=True)
class ReviewSummary:
    average: float
    count: int


def _views(session: Session, statement) -> list[ReviewView]:
    return [
        ReviewView(
            id=r.id or 0,
            partner_id=r.partner_id,
            partner_name=name,
            rating=r.rating,
            text=r.text,
            created_at=r.created_at,
            reply=r.reply,
            replied_at=r.replied_at,
            hidden_at=r.hidden_at,
            hidden_reason=r.hidden_reason,
        )
        for r, name in session.exec(statement).all()
    ]


def visible_reviews(*, session: Session, partner_id: int, limit: int = 50) -> list[ReviewView]:
    """A partner's reviews that are not hidden, newest first."""
    statement = (
        select(Review, Partner.name)
        .join(Partner, col(Partner.id) == Review.partner_id)
        .where(col(Review.partner_id) == partner_id, col(Review.hidden_at).is_(None))
        .order_by(col(Review.created_at).desc(), col(Review.id).desc())
        .limit(limit)
    )
    return _views(session, statement)


def review_summaries(
    *, session: Session, partner_ids: list[int] | None = None
) -> dict[int, ReviewSummary]:
    """Average rating and count of visible reviews per partner (every partner when None)."""
    statement = (
        select(Review.partner_id, func.avg(Review.rating), func.count())
        .where(col(Review.hidden_at).is_(None))
        .group_by(col(Review.partner_id))
    )
    if partner_ids is not None:
        statement = statement.where(col(Review.partner_id).in_(partner_ids))
    return {
        int(pid): ReviewSummary(round(float(avg), 2), int(n))
        for pid, avg, n in session.exec(statement).all()
    }


def moderation_list(
    *, session: Session, viewer: AccountPublic | None, hidden: bool | None = None, limit: int = 200
) -> list[ReviewView]:
    """Every review for administrators, newest first; ``hidden`` filters when not None."""
    ensure_admin(fresh_actor(session, viewer))
    statement = select(Review, Partner.name).join(Partner, col(Partner.id) == Review.partner_id)
    if hidden is not None:
        hidden_col = col(Review.hidden_at)
        statement = statement.where(hidden_col.is_not(None) if hidden else hidden_col.is_(None))
    statement = statement.order_by(col(Review.created_at).desc(), col(Review.id).desc())
    return _views(session, statement.limit(max(1, min(limit, 1000))))
