"""The page behind the one-click links of our emails (AppTest): answers and unsubscribing,
without an account; a bad link gets a clear sentence, never a traceback."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from core.db import session_scope
from core.formatting import escape_markdown
from core.leads.lifecycle import submit_contact_request
from core.models import ContactRequest, EmailSuppression, LeadFeedback
from core.notifications.tokens import issue_token
from core.notifications.unsubscribe import unsubscribe_url
from tests.app.public_pages import assert_no_exception, open_page, texts
from tests.public_directory import EVIL_NAME

pytest_plugins = ["tests.app.public_fixtures"]
PAGE = "email_link.py"
REQUEST = ContactRequest(contact_name="Dana Lee", contact_email="dana.lee@example.com",
                         company_size="11-50", needs=["security"])  # fmt: skip


def answer_token(engine: Engine, partner_id: int, *, valid_for: timedelta = timedelta(days=30)):  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        lead = submit_contact_request(session=session, partner_id=partner_id, request=REQUEST)
        raw = issue_token(session=session, purpose="contacted", lead_id=lead.id,
                          valid_for=valid_for)  # fmt: skip
    return lead.id, raw


def feedback(engine: Engine, lead_id: int) -> LeadFeedback | None:
    with Session(engine) as session:
        return session.get(LeadFeedback, lead_id)


def test_yes_is_recorded_once_and_thanks_by_the_partner_name_only(public_app, sample_engine):
    lead_id, raw = answer_token(sample_engine, public_app["evil"])
    at = open_page(PAGE, do="contacted", t=raw, a="yes")
    assert_no_exception(at)
    (thanks,) = at.success
    assert (
        thanks.value == f"Thank you! You told us that {escape_markdown(EVIL_NAME)} contacted you."
    )
    assert "dana" not in texts(at).lower()  # nothing personal beyond the partner's name
    assert "t" not in at.query_params  # the used token left the address bar
    row = feedback(sample_engine, lead_id)
    assert row is not None and row.contacted is True

    again = open_page(PAGE, do="contacted", t=raw, a="no")  # the other link, later
    assert_no_exception(again)
    assert any("used already" in i.value for i in again.info)
    assert not again.error
    row = feedback(sample_engine, lead_id)
    assert row is not None and row.contacted is True


def test_no_is_recorded_as_not_contacted(public_app, sample_engine):
    lead_id, raw = answer_token(sample_engine, public_app["san_marcos"])
    at = open_page(PAGE, do="contacted", t=raw, a="no")
    assert "San Marcos Networks has not contacted you yet" in at.success[0].value
    row = feedback(sample_engine, lead_id)
    assert row is not None and row.contacted is False


def test_bad_expired_and_incomplete_links_get_a_clear_message(public_app, sample_engine):
    lead_id, expired = answer_token(sample_engine, public_app["houston_print"],
                                    valid_for=timedelta(seconds=-1))  # fmt: skip
    cases = {
        "not valid": {"do": "contacted", "t": "forged-token", "a": "yes"},
        "expired": {"do": "contacted", "t": expired, "a": "yes"},
        "incomplete": {"do": "contacted", "t": expired, "a": "<script>"},
    }
    for problem, params in cases.items():
        at = open_page(PAGE, **params)
        assert_no_exception(at)
        assert any(problem in e.value for e in at.error), problem
    assert feedback(sample_engine, lead_id) is None
    bare = open_page(PAGE)
    assert_no_exception(bare)
    assert "answers the links in our emails" in bare.info[0].value


def test_unsubscribe_asks_for_a_click_then_confirms(public_app, sample_engine):
    with session_scope(sample_engine) as session:
        raw = unsubscribe_url(session=session, email="Dana.Lee@example.com").rsplit("t=", 1)[1]
    at = open_page(PAGE, do="unsubscribe", t=raw)
    assert_no_exception(at)
    with Session(sample_engine) as session:  # opening the link alone changes nothing
        assert session.get(EmailSuppression, "dana.lee@example.com") is None
    button = next(b for b in at.button if b.label.startswith("Unsubscribe "))
    assert button.label == "Unsubscribe d•••@example.com"
    button.click().run()
    assert_no_exception(at)
    assert "d•••@example\\.com is unsubscribed" in at.success[0].value  # Markdown-escaped
    assert "t" not in at.query_params
    with Session(sample_engine) as session:
        assert session.get(EmailSuppression, "dana.lee@example.com") is not None
    bad = open_page(PAGE, do="unsubscribe", t="made-up")
    assert_no_exception(bad)
    assert "not valid" in bad.error[0].value and not bad.button[1:]
