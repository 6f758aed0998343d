"""Contact form validation in plain words, and the per-session rate limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.leads.contact_requests import ContactFormError, check_rate_limit, parse_contact_form

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
    sent = [NOW - timedelta(minutes=50), NOW - timedelta(minutes=10)]
    assert check_rate_limit(sent, now=NOW, limit=3).allowed
    blocked = check_rate_limit([*sent, NOW - timedelta(minutes=1)], now=NOW, limit=3)
    assert not blocked.allowed and blocked.sent_in_window == 3
    assert blocked.retry_after == timedelta(minutes=10)


def test_requests_older_than_an_hour_no_longer_count():
    sent = [NOW - timedelta(minutes=61)] * 5
    assert check_rate_limit(sent, now=NOW, limit=3).allowed
