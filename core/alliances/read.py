"""Reading introductions and alliances: a partner's own inbox of introductions (private:
messages between two businesses) and the alliances both sides show publicly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, or_, select

from core.access import PermissionDenied, can_edit_partner, fresh_actor
from core.models import (
    INTRO_ACCEPTED,
    INTRO_OPEN,
    AccountPublic,
    Partner,
    PartnerCompetency,
    TeamingIntroduction,
)


@dataclass(frozen=True)
class IntroductionView:
    id: int
    incoming: bool  # the other partner proposed it
    other_id: int
    other_name: str
    status: str
    message: str
    their_areas: list[str]  # what the other partner covers
    my_areas: list[str]
    ally_area: str | None
    i_show: bool
    they_show: bool
    created_at: datetime


@dataclass(frozen=True)
class PublicAlliance:
    other_id: int
    other_name: str
    areas: list[str]  # what the ally covers for this partner


def _view(row: TeamingIntroduction, own: int, other_name: str) -> IntroductionView:
    incoming = row.to_partner_id == own
    return IntroductionView(
        id=row.id or 0, incoming=incoming,
        other_id=row.from_partner_id if incoming else row.to_partner_id, other_name=other_name,
        status=row.status, message=row.message,
        their_areas=list(row.from_areas if incoming else row.to_areas),
        my_areas=list(row.to_areas if incoming else row.from_areas), ally_area=row.ally_area,
        i_show=row.to_shows if incoming else row.from_shows,
        they_show=row.from_shows if incoming else row.to_shows, created_at=row.created_at,
    )  # fmt: skip


def _live(session: Session, partner_id: int, statuses: tuple[str, ...]):
    other = aliased(Partner)
    t = TeamingIntroduction
    other_id = col(other.id)
    return session.exec(
        select(t, other.name)
        .join(other, or_(
            (col(t.from_partner_id) == partner_id) & (other_id == t.to_partner_id),
            (col(t.to_partner_id) == partner_id) & (other_id == t.from_partner_id)))
        .where(col(t.status).in_(statuses))
        .order_by(col(t.created_at).desc(), col(t.id).desc())
    ).all()  # fmt: skip


def my_introductions(
    *, session: Session, viewer: AccountPublic | None, partner_id: int
) -> list[IntroductionView]:
    """Open introductions and standing alliances of a partner (its accounts and admins)."""
    viewer = fresh_actor(session, viewer)
    if not can_edit_partner(viewer, partner_id):
        raise PermissionDenied("Only the partner itself sees its introductions.")
    rows = _live(session, partner_id, (INTRO_OPEN, INTRO_ACCEPTED))
    return [_view(row, partner_id, name) for row, name in rows]


def public_alliances(*, session: Session, partner_id: int) -> list[PublicAlliance]:
    """Alliances shown on the public profile: accepted, and both sides agreed to show it."""
    out = []
    for row, name in _live(session, partner_id, (INTRO_ACCEPTED,)):
        if not (row.from_shows and row.to_shows):
            continue
        view = _view(row, partner_id, name)  # areas: what the ally covers for this partner
        out.append(PublicAlliance(other_id=view.other_id, other_name=name, areas=view.their_areas))
    return sorted(out, key=lambda a: a.other_name.lower())


def named_allies(*, session: Session, partner_id: int) -> dict[str, str]:
    """The free-text ally names of a partner's profile, by business service (public data)."""
    rows = session.exec(
        select(PartnerCompetency.area_key, PartnerCompetency.ally_name)
        .where(col(PartnerCompetency.partner_id) == partner_id)
        .where(col(PartnerCompetency.ally_name).is_not(None))
    ).all()
    return {area: name for area, name in rows if name}
