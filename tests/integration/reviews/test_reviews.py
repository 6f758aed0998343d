"""Verified reviews (SQLite and PostgreSQL): a won lead's customer gets a single-use link
bound to the lead and its email; the review shows on the profile; the partner replies once;
administrators hide it with a reason, audited."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from core.access import PermissionDenied
from core.db import session_scope
from core.leads.lifecycle import change_lead_status, submit_contact_request
from core.models import AuditEvent, ContactRequest, OutboxMessage, Review, utc_now
from core.notifications.tokens import TokenError
from core.reviews.read import moderation_list, review_summaries, visible_reviews
from core.reviews.requests import REVIEW_KIND
from core.reviews.writes import ReviewError, reply_to_review, set_review_hidden, submit_review
from tests.integration.worlds import World, build_world, in_austin

HOSTILE = "<script>alert('x')</script> & <b>bold</b>"
EMAIL = "dana@example.com"
NOW = utc_now()


def new_lead(world: World, partner_id: int, name: str = "Dana Lee") -> int:
    request = ContactRequest(contact_name=name, contact_email=EMAIL, company_size="11-50",
                             needs=["networking"], message="Wi-Fi")  # fmt: skip
    with session_scope(world.engine) as session:
        return submit_contact_request(session=session, partner_id=partner_id,
                                      request=request).id or 0  # fmt: skip


def move(world: World, lead_id: int, *statuses: str) -> None:
    for status in statuses:
        with session_scope(world.engine) as session:
            change_lead_status(session=session, actor=world.partner_a, lead_id=lead_id,
                               to_status=status, value_usd=5000 if status == "won" else None,
                               lost_reason="price" if status == "lost" else None)  # fmt: skip


def review_messages(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        query = select(OutboxMessage).where(OutboxMessage.kind == REVIEW_KIND)
        return list(session.exec(query).all())


def token_of(message: OutboxMessage) -> str:
    url = re.search(r"https?://\S+/review\?\S+", message.text_body)
    assert url is not None
    return parse_qs(urlparse(url.group(0)).query)["t"][0]


def submit(engine: Engine, raw: str, email: str = EMAIL, rating: object = 5, text: str = "Great"):
    with session_scope(engine) as session:
        return submit_review(session=session, raw=raw, email=email, rating=rating, text=text,
                             now=utc_now())  # fmt: skip


@pytest.fixture
def world(db_engine: Engine) -> World:
    return build_world(db_engine, [in_austin("Alpha <i>Networks</i>"), in_austin("Beta")])


@pytest.fixture
def won(world: World) -> tuple[int, str]:
    lead_id = new_lead(world, world.a, name=HOSTILE)
    move(world, lead_id, "engaged", "won")
    (message,) = review_messages(world.engine)
    return lead_id, token_of(message)


def test_winning_a_lead_sends_the_customer_one_review_link_with_escaped_names(world, won):
    (message,) = review_messages(world.engine)
    assert message.to_email == EMAIL and message.lead_id == won[0]
    assert message.essential is False and "Unsubscribe" in message.text_body
    assert "<script>" not in message.html_body and "&lt;script&gt;" in message.html_body
    assert "<i>Networks" not in message.html_body


def test_a_lost_lead_sends_no_review_link(world):
    lead_id = new_lead(world, world.a)
    move(world, lead_id, "lost")
    assert review_messages(world.engine) == []


def test_a_review_link_works_once_and_the_review_shows_escaping_left_to_the_page(world, won):
    review = submit(world.engine, won[1], email="  DANA@example.com ", rating=4, text=HOSTILE)
    assert review.rating == 4 and review.text == HOSTILE  # stored as typed, escaped on render
    with pytest.raises(TokenError, match="used already"):
        submit(world.engine, won[1])
    with Session(world.engine) as session:
        shown = visible_reviews(session=session, partner_id=world.a)
        summary = review_summaries(session=session)
        events = session.exec(select(AuditEvent).where(AuditEvent.entity_type == "review")).all()
    assert [r.rating for r in shown] == [4]
    assert summary[world.a].count == 1 and summary[world.a].average == 4.0
    assert [e.action for e in events] == ["create"]


@pytest.mark.parametrize(
    ("email", "raw_suffix"),
    [("someone@else.example", ""), ("", ""), (EMAIL, "x")],
    ids=["other-customer", "no-email", "forged-token"],
)
def test_anyone_but_the_leads_customer_is_refused_and_the_link_still_works(
    world, won, email, raw_suffix
):
    with pytest.raises((ReviewError, TokenError)):
        submit(world.engine, won[1] + raw_suffix, email=email)
    assert submit(world.engine, won[1]).rating == 5  # the refused try did not spend it


def test_a_link_whose_lead_is_no_longer_won_is_refused(world, won):
    with session_scope(world.engine) as session:
        from core.models import Lead

        lead = session.get(Lead, won[0])
        assert lead is not None
        lead.status = "lost"  # an administrator's correction of history, say
        session.add(lead)
        from core.audit import record_change

        record_change(session=session, actor=None, entity_type="lead", entity_id=won[0],
                      action="fix", before={}, after={})  # fmt: skip
    with pytest.raises(ReviewError, match="closed deal"):
        submit(world.engine, won[1])


def test_an_expired_link_is_refused(world, won):
    with pytest.raises(TokenError, match="expired"), session_scope(world.engine) as session:
        submit_review(session=session, raw=won[1], email=EMAIL, rating=5, text="",
                      now=utc_now() + timedelta(days=200))  # fmt: skip


@pytest.mark.parametrize("rating", [0, 6, "5", True, None])
def test_a_bad_rating_is_refused_without_spending_the_link(world, won, rating):
    with pytest.raises(ReviewError, match="1 to 5"):
        submit(world.engine, won[1], rating=rating)
    assert submit(world.engine, won[1]).rating == 5


def test_the_partner_replies_once_and_only_its_own_partner(world, won):
    review = submit(world.engine, won[1])
    with pytest.raises(PermissionDenied), session_scope(world.engine) as session:
        reply_to_review(session=session, actor=world.partner_b, review_id=review.id or 0,
                        text="Not mine", now=NOW)  # fmt: skip
    with session_scope(world.engine) as session:
        reply_to_review(session=session, actor=world.partner_a, review_id=review.id or 0,
                        text="Thank you!", now=NOW)  # fmt: skip
    with pytest.raises(ReviewError, match="once"), session_scope(world.engine) as session:
        reply_to_review(session=session, actor=world.partner_a, review_id=review.id or 0,
                        text="Again", now=NOW)  # fmt: skip
    with Session(world.engine) as session:
        assert visible_reviews(session=session, partner_id=world.a)[0].reply == "Thank you!"


def test_moderation_hides_with_a_reason_audited_and_admins_only(world, won):
    review_id = submit(world.engine, won[1]).id or 0
    with pytest.raises(PermissionDenied), session_scope(world.engine) as session:
        set_review_hidden(session=session, actor=world.partner_a, review_id=review_id,
                          hidden=True, reason="mine", now=NOW)  # fmt: skip
    with pytest.raises(ReviewError, match="why"), session_scope(world.engine) as session:
        set_review_hidden(session=session, actor=world.admin, review_id=review_id, hidden=True,
                          reason=" ", now=NOW)  # fmt: skip
    with session_scope(world.engine) as session:
        set_review_hidden(session=session, actor=world.admin, review_id=review_id, hidden=True,
                          reason="Personal data", now=NOW)  # fmt: skip
    with Session(world.engine) as session:
        assert visible_reviews(session=session, partner_id=world.a) == []
        assert review_summaries(session=session) == {}
        hidden = moderation_list(session=session, viewer=world.admin, hidden=True)
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "hide")).one()
        row = session.get(Review, review_id)
    assert [r.hidden_reason for r in hidden] == ["Personal data"]
    assert (
        event.actor_label == "admin" and event.changes["hidden_reason"]["after"] == "Personal data"
    )
    assert row is not None and row.hidden_by == world.admin.id
    with pytest.raises(ReviewError, match="meanwhile"), session_scope(world.engine) as session:
        set_review_hidden(session=session, actor=world.admin, review_id=review_id, hidden=True,
                          reason="twice", now=NOW)  # fmt: skip
    with session_scope(world.engine) as session:
        set_review_hidden(session=session, actor=world.admin, review_id=review_id, hidden=False,
                          now=NOW)  # fmt: skip
    with Session(world.engine) as session:
        assert len(visible_reviews(session=session, partner_id=world.a)) == 1
