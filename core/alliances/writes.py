"""Introductions and alliances: every change checks who asks, is audited, and is a guarded
UPDATE on the status the user saw (an accept racing a withdraw: exactly one wins)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core.access import PermissionDenied, fresh_actor
from core.audit import record_change
from core.db import savepoint
from core.models import (
    INTRO_ACCEPTED,
    INTRO_DECLINED,
    INTRO_ENDED,
    INTRO_OPEN,
    INTRO_WITHDRAWN,
    ROLE_PARTNER,
    AccountPublic,
    MaxLength,
    Partner,
    TeamingIntroduction,
    clean_text,
    validate_area_keys,
)
from core.notifications.compose import Email
from core.notifications.links import absolute_url
from core.notifications.outbox import enqueue
from core.notifications.recipients import partner_recipients
from core.taxonomy import get_taxonomy

MAX_PROPOSALS_PER_DAY = 10
INTRO_KIND = "teaming_introduction"
PAGE = "complementary_partners"


class IntroductionError(ValueError):
    """An introduction change that cannot be made; the message is for the user."""


def pair_key(a: int, b: int) -> str:
    low, high = sorted((a, b))
    return f"{low}-{high}"


def _own_partner(session: Session, actor: AccountPublic | None) -> tuple[AccountPublic, int]:
    actor = fresh_actor(session, actor)
    if actor.role != ROLE_PARTNER or actor.partner_id is None:
        raise PermissionDenied("Only a partner's own accounts speak for it to other partners.")
    return actor, actor.partner_id


def _fields(row: TeamingIntroduction) -> dict[str, Any]:
    return {k: getattr(row, k) for k in ("from_partner_id", "to_partner_id", "status", "message",
            "from_areas", "to_areas", "ally_area", "from_shows", "to_shows")}  # fmt: skip


def _notify(session: Session, partner_id: int, email: Email, intro_id: int) -> None:
    for address, name in partner_recipients(session=session, partner_id=partner_id):
        enqueue(session=session, kind=INTRO_KIND, to_email=address, to_name=name, email=email,
                essential=True, partner_id=partner_id)  # fmt: skip


def propose_introduction(
    *,
    session: Session,
    actor: AccountPublic | None,
    to_partner_id: int,
    message: str,
    from_areas: list[str],
    to_areas: list[str],
    now: datetime,
    ally_area: str | None = None,
) -> int:
    """Send an introduction to another partner; its id. One live introduction per pair."""
    actor, own = _own_partner(session, actor)
    other = session.get(Partner, to_partner_id)
    if other is None:
        raise IntroductionError("That partner is no longer in the directory.")
    if to_partner_id == own:
        raise IntroductionError("A partner cannot team with itself.")
    text = clean_text(message) or ""
    if len(text) > MaxLength.MESSAGE:
        raise IntroductionError(f"A message has at most {MaxLength.MESSAGE} characters.")
    try:
        mine, theirs = validate_area_keys(from_areas), validate_area_keys(to_areas)
    except ValueError as exc:
        raise IntroductionError(f"{exc}.") from None
    if ally_area is not None and ally_area not in get_taxonomy().service_keys:
        raise IntroductionError("Allies are named for business services only.")
    if not theirs and ally_area is None:
        raise IntroductionError("Name at least one area the other partner covers.")
    sent = session.exec(
        select(func.count())
        .select_from(TeamingIntroduction)
        .where(col(TeamingIntroduction.from_partner_id) == own)
        .where(col(TeamingIntroduction.created_at) > now - timedelta(days=1))
    ).one()
    if int(sent) >= MAX_PROPOSALS_PER_DAY:
        raise IntroductionError(
            f"At most {MAX_PROPOSALS_PER_DAY} introductions a day. Please try again tomorrow."
        )
    row = TeamingIntroduction(
        from_partner_id=own, to_partner_id=to_partner_id, pair_key=pair_key(own, to_partner_id),
        message=text, from_areas=mine, to_areas=theirs, ally_area=ally_area, created_at=now,
    )  # fmt: skip
    try:
        with savepoint(session):  # the unique pair key decides between two at once
            session.add(row)
            session.flush()
    except IntegrityError:
        raise IntroductionError(
            f"You and {other.name} already have an open introduction or an alliance."
        ) from None
    record_change(
        session=session, actor=actor, entity_type="introduction", entity_id=row.id or 0,
        action="propose", before={}, after=_fields(row),
    )  # fmt: skip
    sender = session.get(Partner, own)
    label = get_taxonomy().area_label
    _notify(session, to_partner_id, Email(
        subject=f"{sender.name if sender else 'A partner'} proposes teaming with you",
        greeting=f"Hello {other.name},",
        paragraphs=[f"{sender.name if sender else 'A partner'} would like to team with you "
                    "on Partner Atlas.", *([f"Their message: {text}"] if text else [])],
        facts=[("They cover", ", ".join(label(k) for k in mine) or "—"),
               ("You would cover", ", ".join(label(k) for k in theirs or [ally_area or ""]))],
        actions=[("Accept or decline", absolute_url(PAGE))],
    ), row.id or 0)  # fmt: skip
    return row.id or 0


def _change(
    session: Session,
    actor: AccountPublic,
    intro_id: int,
    from_status: str,
    values: dict[str, Any],
    action: str,
) -> TeamingIntroduction:
    row = session.get(TeamingIntroduction, intro_id, populate_existing=True)
    assert row is not None
    before = _fields(row)
    result = session.execute(
        update(TeamingIntroduction)
        .where(col(TeamingIntroduction.id) == intro_id,
               col(TeamingIntroduction.status) == from_status)
        .values(**values)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    assert isinstance(result, CursorResult)
    if result.rowcount != 1:
        raise IntroductionError("This introduction was changed meanwhile. Reload and try again.")
    session.refresh(row)
    record_change(session=session, actor=actor, entity_type="introduction", entity_id=intro_id,
                  action=action, before=before, after=_fields(row))  # fmt: skip
    return row


def _load(session: Session, intro_id: int, own: int) -> TeamingIntroduction:
    row = session.get(TeamingIntroduction, intro_id)
    if row is None or own not in (row.from_partner_id, row.to_partner_id):
        raise PermissionDenied("This introduction is not yours.")
    return row


def answer_introduction(
    *, session: Session, actor: AccountPublic | None, intro_id: int, accept: bool, now: datetime
) -> None:
    """The invited partner accepts (a standing alliance) or declines."""
    actor, own = _own_partner(session, actor)
    row = _load(session, intro_id, own)
    if row.to_partner_id != own:
        raise PermissionDenied("Only the invited partner answers an introduction.")
    values: dict[str, Any] = {"status": INTRO_ACCEPTED if accept else INTRO_DECLINED,
                              "decided_at": now}  # fmt: skip
    if not accept:
        values["pair_key"] = None
    row = _change(session, actor, intro_id, INTRO_OPEN, values, "accept" if accept else "decline")
    me = session.get(Partner, own)
    proposer = session.get(Partner, row.from_partner_id)
    answer = "accepted" if accept else "declined"
    _notify(session, row.from_partner_id, Email(
        subject=f"{me.name if me else 'A partner'} {answer} your introduction",
        greeting=f"Hello {proposer.name if proposer else ''},",
        paragraphs=[f"{me.name if me else 'The partner'} {answer} your teaming introduction."],
        actions=[("See your introductions", absolute_url(PAGE))],
    ), intro_id)  # fmt: skip


def withdraw_introduction(
    *, session: Session, actor: AccountPublic | None, intro_id: int, now: datetime
) -> None:
    """The proposer takes back an introduction that is still open."""
    actor, own = _own_partner(session, actor)
    if _load(session, intro_id, own).from_partner_id != own:
        raise PermissionDenied("Only the proposer withdraws an introduction.")
    values = {"status": INTRO_WITHDRAWN, "decided_at": now, "pair_key": None}
    _change(session, actor, intro_id, INTRO_OPEN, values, "withdraw")


def end_alliance(
    *, session: Session, actor: AccountPublic | None, intro_id: int, now: datetime
) -> None:
    """Either side ends a standing alliance; it leaves both profiles at once."""
    actor, own = _own_partner(session, actor)
    _load(session, intro_id, own)
    _change(session, actor, intro_id, INTRO_ACCEPTED,
            {"status": INTRO_ENDED, "ended_at": now, "pair_key": None,
             "from_shows": False, "to_shows": False}, "end")  # fmt: skip


def show_alliance(
    *, session: Session, actor: AccountPublic | None, intro_id: int, shown: bool
) -> None:
    """One side's consent to show the alliance on the public profiles (both must agree)."""
    actor, own = _own_partner(session, actor)
    row = _load(session, intro_id, own)
    side = "from_shows" if row.from_partner_id == own else "to_shows"
    _change(session, actor, intro_id, INTRO_ACCEPTED, {side: shown}, "show" if shown else "hide")
