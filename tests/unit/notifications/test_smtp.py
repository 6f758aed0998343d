"""ATLAS_SMTP_URL parsing, the backoff schedule, what a failure means, the MIME message."""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime, timedelta

import pytest

from core.models import OutboxMessage
from core.notifications.delivery import backoff, classify
from core.notifications.smtp import SmtpTarget, build_message, check_mail_from, parse_smtp_url


def test_smtp_url_with_credentials_is_decoded() -> None:
    target = parse_smtp_url("smtp://mailer%40atlas.test:p%40ss%3Aword@mail.example.com:2525")
    assert (target.host, target.port, target.implicit_tls) == ("mail.example.com", 2525, False)
    assert (target.username, target.password) == ("mailer@atlas.test", "p@ss:word")


def test_smtp_url_defaults_ports_and_needs_no_user() -> None:
    plain = parse_smtp_url("smtp://localhost")
    assert (plain.port, plain.username, plain.password) == (587, None, None)
    tls = parse_smtp_url("smtps://u:p@mail.example.com")
    assert (tls.port, tls.implicit_tls) == (465, True)


@pytest.mark.parametrize(
    "url", ["http://mail.example.com", "smtp://", "smtp://user:pw@host:notaport", "mail:25"]
)
def test_an_unusable_smtp_url_is_refused_without_echoing_the_password(url: str) -> None:
    with pytest.raises(ValueError, match="ATLAS_SMTP_URL") as error:
        parse_smtp_url(url)
    assert "pw" not in str(error.value)


def test_a_target_never_shows_its_password() -> None:
    target = parse_smtp_url("smtp://user:hunter2@host:25")
    assert "hunter2" not in repr(target) and target.describe() == "host:25"


def test_backoff_doubles_from_a_minute_to_at_most_an_hour() -> None:
    assert [backoff(n) for n in range(1, 9)] == [
        timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32, 60, 60)
    ]
    assert backoff(1000) == timedelta(hours=1) and backoff(0) == timedelta(0)


TARGET = SmtpTarget(host="mail", port=25, implicit_tls=False, username="u", password="s3cret")


def test_a_permanent_refusal_fails_the_message_and_a_temporary_one_retries() -> None:
    refused = smtplib.SMTPRecipientsRefused({"a@x.test": (550, b"no such user")})
    assert classify(refused, TARGET).permanent
    busy = smtplib.SMTPRecipientsRefused({"a@x.test": (451, b"try later")})
    outcome = classify(busy, TARGET)
    assert not outcome.permanent and not outcome.outage
    assert classify(smtplib.SMTPDataError(554, b"spam"), TARGET).permanent
    assert classify(smtplib.SMTPNotSupportedError("SMTPUTF8 not supported"), TARGET).permanent


@pytest.mark.parametrize(
    "exc",
    [
        ConnectionRefusedError(111, "Connection refused"),
        smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
        smtplib.SMTPResponseException(421, b"closing"),
        smtplib.SMTPAuthenticationError(535, b"bad password s3cret"),
        TimeoutError("timed out"),
    ],
)
def test_an_outage_stops_the_batch_and_never_shows_the_password(exc: Exception) -> None:
    outcome = classify(exc, TARGET)
    assert outcome.outage and not outcome.permanent
    assert "s3cret" not in outcome.error and outcome.error.startswith("mail:25")


def test_the_mime_message_has_both_parts_its_id_and_an_unsubscribe_header() -> None:
    row = OutboxMessage(
        message_id="<abc@partner-atlas>", kind="profile_nudge", to_email="ana@x.test",
        to_name="Ana, \"Admin\"", subject="Still correct?", text_body="Hi\n"
        "Unsubscribe from these messages: http://atlas.test/email_link?do=unsubscribe&t=T\n",
        html_body="<p>Hi</p>",
    )  # fmt: skip
    at = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    message = build_message(row, mail_from="Atlas <a@atlas.test>", date=at)
    assert message["Message-ID"] == "<abc@partner-atlas>"
    assert message["To"] == '"Ana, \\"Admin\\"" <ana@x.test>'
    assert message["Date"] == "Sun, 01 Mar 2026 12:00:00 +0000"
    assert message["List-Unsubscribe"] == "<http://atlas.test/email_link?do=unsubscribe&t=T>"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]


def test_the_sender_must_be_one_address() -> None:
    assert check_mail_from("Atlas <a@atlas.test>") == "Atlas <a@atlas.test>"
    for bad in ("Partner Atlas", "a@x.test\r\nBcc: b@x.test", ""):
        with pytest.raises(ValueError, match="ATLAS_MAIL_FROM"):
            check_mail_from(bad)
