"""Teaming introductions and standing alliances (SQLite and PostgreSQL): propose, accept,
decline, no duplicate live introduction per pair, accept racing withdraw, the daily limit,
and alliances on the public profiles only while both sides agree."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from core.access import PermissionDenied
from core.alliances.read import my_introductions, public_alliances
from core.alliances.writes import (
    MAX_PROPOSALS_PER_DAY,
    IntroductionError,
    answer_introduction,
    end_alliance,
    propose_introduction,
    show_alliance,
    withdraw_introduction,
)
from core.db import session_scope
from core.models import AuditEvent, OutboxMessage, PartnerCreate, TeamingIntroduction, utc_now
from tests.integration.worlds import World, add_partners, build_world, in_austin

NOW = utc_now()


def with_email(name: str, email: str) -> PartnerCreate:
    partner = in_austin(name)
    partner.email = email
    return partner


@pytest.fixture
def world(db_engine: Engine) -> World:
    alpha = with_email("Alpha", "a@alpha.example")
    return build_world(db_engine, [alpha, with_email("Lone Star <Leasing>", "b@beta.example")])


def propose(world: World, to: int | None = None, actor=None, message: str = "Let's team") -> int:
    with session_scope(world.engine) as session:
        return propose_introduction(
            session=session, actor=actor or world.partner_a, to_partner_id=to or world.b,
            message=message, from_areas=["networking"], to_areas=["financing"], now=utc_now(),
        )  # fmt: skip


def answer(world: World, intro_id: int, accept: bool, actor=None) -> None:
    with session_scope(world.engine) as session:
        answer_introduction(session=session, actor=actor or world.partner_b, intro_id=intro_id,
                            accept=accept, now=NOW)  # fmt: skip


def show(world: World, intro_id: int, actor, shown: bool = True) -> None:
    with session_scope(world.engine) as session:
        show_alliance(session=session, actor=actor, intro_id=intro_id, shown=shown)


def shown_on(world: World, partner_id: int) -> list[str]:
    with Session(world.engine) as session:
        return [a.other_name for a in public_alliances(session=session, partner_id=partner_id)]


def test_proposing_mails_the_other_partner_escaped_and_both_see_it(world):
    intro_id = propose(world, message="<script>x</script>")
    with Session(world.engine) as session:
        (mail,) = session.exec(select(OutboxMessage)).all()
        incoming = my_introductions(session=session, viewer=world.partner_b, partner_id=world.b)
        outgoing = my_introductions(session=session, viewer=world.partner_a, partner_id=world.a)
        with pytest.raises(PermissionDenied):
            my_introductions(session=session, viewer=world.partner_a, partner_id=world.b)
    assert mail.to_email == "b@beta.example" and "complementary_partners" in mail.text_body
    assert "<script>" not in mail.html_body and "&lt;Leasing&gt;" in mail.html_body
    assert [(i.id, i.incoming, i.their_areas) for i in incoming] == [
        (intro_id, True, ["networking"])
    ]
    assert [(i.incoming, i.other_name) for i in outgoing] == [(False, "Lone Star <Leasing>")]


def test_a_second_live_introduction_between_the_same_pair_is_refused_either_way(world):
    propose(world)
    with pytest.raises(IntroductionError, match="already"):
        propose(world)
    with pytest.raises(IntroductionError, match="already"):
        propose(world, to=world.a, actor=world.partner_b)


def test_declined_frees_the_pair_and_only_the_invited_partner_answers(world):
    intro_id = propose(world)
    with pytest.raises(PermissionDenied):
        answer(world, intro_id, True, actor=world.partner_a)
    with pytest.raises(PermissionDenied):
        answer(world, intro_id, True, actor=world.admin)
    answer(world, intro_id, False)
    with pytest.raises(IntroductionError, match="meanwhile"):
        answer(world, intro_id, True)
    assert propose(world) != intro_id  # a new introduction may follow a declined one


def test_an_alliance_shows_on_both_profiles_only_when_both_agree(world):
    intro_id = propose(world)
    answer(world, intro_id, True)
    assert shown_on(world, world.a) == shown_on(world, world.b) == []
    show(world, intro_id, world.partner_a)
    assert shown_on(world, world.a) == []  # one side alone is not enough
    show(world, intro_id, world.partner_b)
    assert shown_on(world, world.a) == ["Lone Star <Leasing>"]
    assert shown_on(world, world.b) == ["Alpha"]
    with Session(world.engine) as session:
        (alliance,) = public_alliances(session=session, partner_id=world.a)
    assert alliance.areas == ["financing"]  # what the ally does for Alpha
    show(world, intro_id, world.partner_b, shown=False)
    assert shown_on(world, world.a) == shown_on(world, world.b) == []


def test_either_side_ends_an_alliance_and_it_leaves_both_profiles(world):
    intro_id = propose(world)
    answer(world, intro_id, True)
    show(world, intro_id, world.partner_a)
    show(world, intro_id, world.partner_b)
    with session_scope(world.engine) as session:
        end_alliance(session=session, actor=world.partner_b, intro_id=intro_id, now=NOW)
    assert shown_on(world, world.a) == shown_on(world, world.b) == []
    with Session(world.engine) as session:
        actions = session.exec(select(AuditEvent.action)
                               .where(AuditEvent.entity_type == "introduction")
                               .order_by(AuditEvent.id)).all()  # fmt: skip
    assert actions == ["propose", "accept", "show", "show", "end"]


def test_the_daily_limit_counts_proposals_in_sql(world, db_engine):
    others = add_partners(db_engine, [in_austin(f"P{i}") for i in range(MAX_PROPOSALS_PER_DAY)])
    for other in others:
        propose(world, to=other)
    with pytest.raises(IntroductionError, match="a day"):
        propose(world)


def test_vendors_and_admins_cannot_speak_for_a_partner(world):
    for actor in (world.vendor, world.admin):
        with pytest.raises(PermissionDenied):
            propose(world, actor=actor)


def _race(world: World, intro_id: int) -> list[str]:
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def run(name: str, write) -> None:
        barrier.wait()
        try:
            with session_scope(world.engine) as session:
                write(session)
            outcomes.append(name)
        except IntroductionError:
            outcomes.append("refused")

    def accept(s: Session) -> None:
        answer_introduction(session=s, actor=world.partner_b, intro_id=intro_id, accept=True,
                            now=NOW)  # fmt: skip

    def withdraw(s: Session) -> None:
        withdraw_introduction(session=s, actor=world.partner_a, intro_id=intro_id, now=NOW)

    threads = [threading.Thread(target=run, args=("accepted", accept)),
               threading.Thread(target=run, args=("withdrawn", withdraw))]  # fmt: skip
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_accept_racing_withdraw_exactly_one_wins(world):
    for _ in range(3):
        intro_id = propose(world)
        outcomes = _race(world, intro_id)
        assert sorted(outcomes) in (["accepted", "refused"], ["refused", "withdrawn"])
        with Session(world.engine) as session:
            row = session.get(TeamingIntroduction, intro_id)
        assert row is not None and row.status in ("accepted", "withdrawn")
        if row.status == "accepted":
            with session_scope(world.engine) as session:
                end_alliance(session=session, actor=world.partner_a, intro_id=intro_id, now=NOW)
