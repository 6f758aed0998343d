"""Contact form validation in plain words, the rate-limit arithmetic and the merge rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from unittest.mock import create_autospec

import pytest
from sqlmodel import Session

from core.leads.contact_limits import email_key, rate_from, rate_limit_text, visitor_key
from core.leads.contact_requests import (
    ContactFormError,
    parse_contact_form,
    send_contact_request,
)
from core.leads.merging import merged_message, same_needs

VALID = {"contact_name": "Jo Smith", "contact_email": "jo@example.com", "company_size": "11-50",
         "needs": ["security"], "message": "Hello"}  # fmt: skip
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def errors_for(**changes: object) -> dict[str, str]:
    with pytest.raises(ContactFormError) as caught:
        parse_contact_form(VALID | changes)
    return caught.value.errors


def test_a_valid_form_becomes_a_contact_request():
    request = parse_contact_form(VALID | {"contact_name": "  Jo\x07 Smith  "})
    assert request.contact_name == "Jo Smith"
    assert request.needs == ["security"]


def test_each_field_gets_one_plain_sentence():
    errors = errors_for(contact_name="J", contact_email="jo@", company_size=None, needs=[])
    assert list(errors) == ["contact_name", "contact_email", "company_size", "needs"]
    assert errors["contact_name"] == "please enter your name (at least 2 characters)."
    assert errors["contact_email"].startswith("enter an address like name@example.com")
    assert errors["company_size"] == "choose your company size."
    assert errors["needs"] == "choose at least one thing you need."


def test_over_long_text_is_refused_with_the_limit():
    errors = errors_for(message="x" * 2001, contact_name="y" * 101)
    assert errors["message"] == "at most 2,000 characters, please shorten it."
    assert errors["contact_name"] == "at most 100 characters, please shorten it."


def test_unknown_needs_are_refused():
    assert "unknown need" in errors_for(needs=["teleportation"])["needs"]


def test_rate_limit_allows_up_to_the_limit_per_rolling_hour():
    assert rate_from(count=2, limit_th_newest=None, now=NOW, limit=3).allowed
    # Sent 50, 10 and 1 minutes ago: the third newest leaves the window in 10 minutes.
    blocked = rate_from(count=3, limit_th_newest=NOW - timedelta(minutes=50), now=NOW, limit=3)
    assert not blocked.allowed and blocked.sent_in_window == 3
    assert blocked.retry_after == timedelta(minutes=10)
    assert "please try again in 11 minutes" in rate_limit_text(blocked)


def test_a_limit_of_zero_allows_nothing_for_an_hour():
    blocked = rate_from(count=0, limit_th_newest=None, now=NOW, limit=0)
    assert not blocked.allowed and blocked.retry_after == timedelta(hours=1)


def test_visitors_are_keyed_by_address_else_by_session_and_never_stored_plain():
    by_ip = visitor_key(address="203.0.113.7", session_id="a")
    assert by_ip == visitor_key(address=" 203.0.113.7 ", session_id="b")  # any session
    assert by_ip != visitor_key(address=None, session_id="a")
    assert visitor_key(address=None, session_id="a") != visitor_key(address="", session_id="b")
    assert "203.0.113.7" not in by_ip and len(by_ip) == 64
    assert email_key("Jo@Example.com ") == email_key("jo@example.com")


def test_a_repeated_message_is_appended_once_and_never_beyond_the_limit():
    assert merged_message("Firewall", "Laptops") == "Firewall\n\nLaptops"
    assert merged_message("Firewall", "Firewall") == "Firewall"
    assert merged_message("Firewall\n\nLaptops", "Laptops") == "Firewall\n\nLaptops"
    assert merged_message("Firewall", "") == "Firewall"
    assert merged_message("", "Laptops") == "Laptops"
    long = merged_message("a" * 15, "b" * 10, max_length=20)
    assert long == "a" * 15 + "\n\n" + "bbb" and len(long) == 20
    assert merged_message("a" * 20, "b", max_length=20) == "a" * 20


def test_needs_are_the_same_in_any_order():
    assert same_needs(["security", "cloud"], ["cloud", "security"])
    assert not same_needs(["security"], ["security", "cloud"])


def test_a_filled_honeypot_is_told_sent_without_touching_the_database():
    session = create_autospec(Session, instance=True)
    outcome = send_contact_request(session=session, partner_ids=[1], team=False, values=VALID,
                                   visitor_address="203.0.113.7", session_id="s", now=NOW,
                                   limit=5, honeypot="https://cheap-pills.example")  # fmt: skip
    assert outcome.sent and outcome.dropped and outcome.leads == []
    assert session.mock_calls == []  # no query, no write
    assert outcome.request is not None and outcome.request.contact_name == "Jo Smith"
