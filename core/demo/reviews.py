"""Demo reviews and one standing alliance, so a new user sees both on the demo partners.

Deterministic: the reviewed leads are the lowest-id won leads (partner1's first, then a
few more across the directory), ratings and texts come from the lead id, and dates from
each lead's own time. partner1 and the most reviewed partner get one accepted alliance
both chose to show.
One summary audit event per kind, as the demo generator writes.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlmodel import Session, col, select

from core.audit import record_change
from core.models import (
    INTRO_ACCEPTED,
    Lead,
    PartnerCompetency,
    Review,
    TeamingIntroduction,
    utc_now,
)

ACTOR_LABEL = "demo generator"
TEXTS = (
    (5, "Set up our new office network in a weekend, no downtime. Clear quote, no surprises."),
    (4, "Good work on the firewall and backups; the first meeting was a week late."),
    (5, "They explained everything in plain words and trained our staff. Would hire again."),
    (3, "The project got done, but we had to chase them for the final documentation."),
    (4, "Responsive and fair on price. Migration to the cloud went smoothly."),
)
REPLY = "Thank you! It was a pleasure working with your team."
OTHERS = 24  # reviewed won leads beyond partner1's


def _won(session: Session, partner_id: int | None, limit: int) -> list[Lead]:
    statement = select(Lead).where(Lead.status == "won", col(Lead.partner_id).is_not(None))
    if partner_id is not None:
        statement = statement.where(Lead.partner_id == partner_id)
    return list(session.exec(statement.order_by(col(Lead.id)).limit(limit)).all())


def _top_area(session: Session, partner_id: int, besides: list[str]) -> list[str]:
    row = session.exec(
        select(PartnerCompetency.area_key)
        .where(PartnerCompetency.partner_id == partner_id)
        .where(col(PartnerCompetency.area_key).not_in(besides))
        .order_by(col(PartnerCompetency.claimed_level).desc(), col(PartnerCompetency.area_key))
        .limit(1)
    ).first()
    return [row] if row else []


def seed_demo_reviews(session: Session, *, partner_ids: list[int]) -> int:
    """Reviews of won leads and the partner1–partner2 alliance; does nothing a second time."""
    # Either kind of row means it ran (a directory without won leads gets the alliance only).
    if (
        session.exec(select(Review.id).limit(1)).first() is not None
        or session.exec(select(TeamingIntroduction.id).limit(1)).first() is not None
    ):
        return 0
    leads = _won(session, partner_ids[0], 4) if partner_ids else []
    leads += [lead for lead in _won(session, None, OTHERS) if lead not in leads]
    for n, lead in enumerate(leads):
        rating, text = TEXTS[(lead.id or 0) % len(TEXTS)]
        at = lead.updated_at + timedelta(days=3)
        session.add(Review(lead_id=lead.id or 0, partner_id=lead.partner_id or 0, rating=rating,
                           text=text, created_at=at, reply=REPLY if n % 2 == 0 else None,
                           replied_at=at + timedelta(days=1) if n % 2 == 0 else None))  # fmt: skip
    if leads:
        record_change(session=session, actor=None, actor_label=ACTOR_LABEL, entity_type="review",
                      entity_id="demo", action="demo_reviews", before={},
                      after={"reviews": len(leads)})  # fmt: skip
    if len(partner_ids) >= 2:
        # partner1 and the most reviewed partner (else partner2): one profile shows both.
        counts = Counter(lead.partner_id for lead in leads if lead.partner_id != partner_ids[0])
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] or 0))
        a, b = partner_ids[0], int(ranked[0][0] or 0) if ranked else partner_ids[1]
        mine = _top_area(session, a, [])
        since = leads[0].updated_at if leads else utc_now()
        session.add(TeamingIntroduction(
            from_partner_id=a, to_partner_id=b, pair_key=f"{min(a, b)}-{max(a, b)}",
            message="We often need a partner for this: shall we team up?", from_areas=mine,
            to_areas=_top_area(session, b, mine), status=INTRO_ACCEPTED, from_shows=True,
            to_shows=True, created_at=since, decided_at=since,
        ))  # fmt: skip
        record_change(session=session, actor=None, actor_label=ACTOR_LABEL,
                      entity_type="introduction", entity_id="demo", action="demo_alliance",
                      before={}, after={"partners": [a, b]})  # fmt: skip
    return len(leads)
