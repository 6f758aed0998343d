"""Reviews and alliances on screen (AppTest, demo directory with accounts): the review page
behind the email link, the administrators' moderation page, reviews and alliances on the
public profile, and introductions on Complementary partners."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlparse

from sqlmodel import Session, col, select
from streamlit.testing.v1 import AppTest

from core.alliances.writes import propose_introduction
from core.db import session_scope
from core.leads.lifecycle import change_lead_status
from core.models import AuditEvent, Lead, OutboxMessage, Review, TeamingIntroduction, utc_now
from core.search.query import MAX_RADIUS_KM
from tests.app.conftest import TIMEOUT_S, AtlasDb, assert_no_exception, page_text, sign_in
from tests.conftest import REPO_ROOT

HOSTILE = "<img src=x onerror=alert(1)> **bold** [link](javascript:alert(1))"


def open_page(db: AtlasDb, page: str, as_: str = "anonymous", **params: Any) -> AppTest:
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=TIMEOUT_S)
    sign_in(at, db.accounts.get(as_), db.engine)
    at.run()
    for name, value in params.items():
        at.query_params[name] = str(value)
    return at.switch_page(f"pages/{page}").run()


def won_link(db: AtlasDb) -> tuple[Lead, str]:
    """A lead of partner A marked won by the admin, and the token of its review email."""
    with Session(db.engine) as session:
        lead = session.exec(select(Lead).where(Lead.partner_id == db.partner_a)
                            .where(col(Lead.status).in_(["new", "engaged"]))
                            .order_by(col(Lead.id))).first()  # fmt: skip
    assert lead is not None and lead.id is not None
    steps = ["engaged", "won"] if lead.status == "new" else ["won"]
    for step in steps:
        with session_scope(db.engine) as session:
            value = 900 if step == "won" else None
            change_lead_status(session=session, actor=db.accounts["admin"], lead_id=lead.id,
                               to_status=step, value_usd=value)  # fmt: skip
    with Session(db.engine) as session:
        message = session.exec(select(OutboxMessage).where(OutboxMessage.lead_id == lead.id)
                               .where(OutboxMessage.kind == "review_request")).one()  # fmt: skip
    url = re.search(r"https?://\S+/review\?\S+", message.text_body)
    assert url is not None
    return lead, parse_qs(urlparse(url.group(0)).query)["t"][0]


def fill_review(at: AppTest, email: str, rating: int, text: str) -> AppTest:
    at.text_input[0].input(email)
    at.radio[0].set_value(rating)
    at.text_area[0].input(text)
    return at.button[0].click().run()


def test_the_review_page_publishes_once_and_only_for_the_leads_customer(atlas_db):
    lead, raw = won_link(atlas_db)
    at = open_page(atlas_db, "review.py", t=raw)
    assert_no_exception(at)
    fill_review(at, "stranger@example.com", 4, HOSTILE)
    assert any("another email address" in e.value for e in at.error)
    assert at.text_area[0].value == HOSTILE  # nothing typed is lost
    fill_review(at, lead.contact_email.upper(), 4, HOSTILE)
    assert_no_exception(at)
    assert at.success and "published" in at.success[0].value
    with Session(atlas_db.engine) as session:
        (review,) = session.exec(select(Review).where(Review.lead_id == lead.id)).all()
    assert review.rating == 4 and review.text == HOSTILE
    again = open_page(atlas_db, "review.py", t=raw)
    assert any("used already" in e.value for e in again.error)
    assert not again.text_area  # no form for a spent link


def test_the_review_page_refuses_a_missing_or_forged_link(shared_atlas_db):
    at = open_page(shared_atlas_db, "review.py")
    assert_no_exception(at)
    assert "closed deal" in at.info[0].value and not at.text_area
    forged = open_page(shared_atlas_db, "review.py", t="x" * 43)
    assert any("not valid" in e.value for e in forged.error) and not forged.text_area


def test_the_profile_shows_verified_reviews_escaped_and_the_alliance_both_ways(atlas_db):
    lead, raw = won_link(atlas_db)
    at = open_page(atlas_db, "review.py", t=raw)
    fill_review(at, lead.contact_email, 5, HOSTILE)
    with Session(atlas_db.engine) as session:
        alliance = session.exec(select(TeamingIntroduction)).one()  # the demo alliance
    profile = open_page(atlas_db, "partner_profile.py", id=atlas_db.partner_a)
    assert_no_exception(profile)
    text = page_text(profile)
    assert "Verified customer of a closed deal" in text
    assert HOSTILE in [t.value for t in profile.text]  # st.text: shown as typed, no markup
    assert "verified review" in text
    for me, other in ((alliance.from_partner_id, alliance.to_partner_id),
                      (alliance.to_partner_id, alliance.from_partner_id)):  # fmt: skip
        shown = page_text(open_page(atlas_db, "partner_profile.py", id=me))
        assert f"/partner_profile?id={other})" in shown and "Works with" in shown


def test_admins_hide_a_review_with_a_reason_audited_and_others_are_refused(atlas_db):
    refused = open_page(atlas_db, "admin_reviews.py", as_="partner_a")
    assert not refused.button and "access" in page_text(refused)
    at = open_page(atlas_db, "admin_reviews.py", as_="admin")
    assert_no_exception(at)
    key = next(b.key for b in at.button if b.key.startswith("hide_"))
    at.button(key=key).click().run()
    assert any("why" in e.value for e in at.error)  # no reason: refused, nothing hidden
    review_id = int(key.removeprefix("hide_"))
    at.text_input(key=f"reason_{review_id}").input("Names an employee")
    at.button(key=key).click().run()
    assert_no_exception(at)
    with Session(atlas_db.engine) as session:
        row = session.get(Review, review_id)
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "hide")).one()
    assert row is not None and row.hidden_reason == "Names an employee"
    assert event.entity_id == str(review_id)


def test_a_partner_accepts_an_incoming_introduction_and_proposes_one(atlas_db):
    with session_scope(atlas_db.engine) as session:
        intro_id = propose_introduction(
            session=session, actor=atlas_db.accounts["partner_b"], to_partner_id=atlas_db.partner_a,
            message=HOSTILE, from_areas=["security"], to_areas=["networking"], now=utc_now(),
        )  # fmt: skip
    at = open_page(atlas_db, "complementary_partners.py", as_="partner_a")
    assert_no_exception(at)
    assert HOSTILE in [t.value for t in at.text] and "Standing alliances" in page_text(at)
    at.button(key=f"intro_accept_{intro_id}").click().run()
    assert_no_exception(at)
    with Session(atlas_db.engine) as session:
        row = session.get(TeamingIntroduction, intro_id)
    assert row is not None and row.status == "accepted"
    at.select_slider(key="complements_radius").set_value(int(MAX_RADIUS_KM)).run()
    proposals = [b for b in at.button if b.label == "Send introduction"]
    assert proposals, "every complement offers 'Propose teaming'"
    proposals[0].click().run()
    assert_no_exception(at)
    with Session(atlas_db.engine) as session:
        sent = session.exec(select(TeamingIntroduction)
                            .where(TeamingIntroduction.from_partner_id == atlas_db.partner_a)
                            .where(TeamingIntroduction.status == "open")).all()  # fmt: skip
    assert len(sent) == 1
