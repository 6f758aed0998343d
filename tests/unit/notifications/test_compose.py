"""Composed emails: every user string escaped in HTML, subjects one line, links absolute."""

from __future__ import annotations

import pytest

from core.notifications.compose import Email, render_html, render_text, subject_line
from core.notifications.links import absolute_url
from core.settings import get_settings

HOSTILE = "<img src=x onerror=alert(1)>"


def hostile_email() -> Email:
    return Email(
        subject=f"New request from {HOSTILE}\r\nBcc: victim@example.test",
        greeting=f"Hello {HOSTILE},",
        paragraphs=[f'Message: "{HOSTILE}"\nsecond line'],
        facts=[(HOSTILE, HOSTILE)],
        actions=[("Open <b>it</b>", 'http://atlas.test/x?a=1&b="><script>')],
        unsubscribe_url='http://atlas.test/email_link?do=unsubscribe&t=a"b',
    )


def test_html_has_no_user_markup_only_escaped_text() -> None:
    html = render_html(hostile_email())
    assert "<img" not in html and "<script>" not in html and "<b>it" not in html
    assert html.count("&lt;img src=x onerror=alert(1)&gt;") == 4
    assert 'href="http://atlas.test/x?a=1&amp;b=&quot;&gt;&lt;script&gt;"' in html
    assert 'href="http://atlas.test/email_link?do=unsubscribe&amp;t=a&quot;b"' in html
    assert "second line" in html and "<br>" in html


def test_text_keeps_the_words_as_written() -> None:
    text = render_text(hostile_email())
    assert f"Hello {HOSTILE}," in text and f"{HOSTILE}: {HOSTILE}" in text
    assert "Unsubscribe from these messages: http://atlas.test/email_link" in text


def test_a_subject_is_one_line_so_user_text_cannot_add_headers() -> None:
    subject = subject_line(hostile_email())
    assert "\n" not in subject and "\r" not in subject
    assert len(subject_line(Email(subject="x" * 1000, greeting=""))) == 300


def test_links_are_absolute_and_their_parameters_encoded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATLAS_BASE_URL", "https://atlas.example/")
    get_settings.cache_clear()
    try:
        url = absolute_url("/my_programs", t="a b&c", id=5)
    finally:
        get_settings.cache_clear()
    assert url == "https://atlas.example/my_programs?t=a+b%26c&id=5"
