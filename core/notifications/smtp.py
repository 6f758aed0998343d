"""Talking SMTP: where the server is (ATLAS_SMTP_URL), one connection, one message as MIME.

``smtp://user:password@host:587`` speaks STARTTLS when the server offers it;
``smtps://…:465`` is TLS from the first byte. Credentials in the URL are URL-decoded
(``p%40ss`` is ``p@ss``) and a login happens only when a user is given.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from urllib.parse import unquote, urlsplit

from core.models import OutboxMessage

DEFAULT_PORTS = {"smtp": 587, "smtps": 465}
TIMEOUT_SECONDS = 30.0
_UNSUBSCRIBE = re.compile(r"^Unsubscribe from these messages: (\S+)$", re.MULTILINE)


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    implicit_tls: bool
    username: str | None = None
    # Never in repr(): a target may end up in a log line or an error message.
    password: str | None = field(default=None, repr=False)

    def describe(self) -> str:
        """host:port for messages — never the credentials."""
        return f"{self.host}:{self.port}"


def parse_smtp_url(url: str) -> SmtpTarget:
    """The server of ``smtp://[user[:password]@]host[:port]`` (ValueError when unusable).

    The error names the problem, never the password."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise ValueError(
            "ATLAS_SMTP_URL is not a valid URL (smtp://user:password@host:587)"
        ) from None
    if parts.scheme not in DEFAULT_PORTS:
        raise ValueError("ATLAS_SMTP_URL must start with smtp:// or smtps://")
    if not parts.hostname:
        raise ValueError("ATLAS_SMTP_URL names no host (smtp://user:password@host:587)")
    return SmtpTarget(
        host=parts.hostname,
        port=port or DEFAULT_PORTS[parts.scheme],
        implicit_tls=parts.scheme == "smtps",
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )


def check_mail_from(value: str) -> str:
    """ATLAS_MAIL_FROM as given, if it holds one address (ValueError otherwise): a bad sender
    is the setup's fault and must not fail the messages one by one."""
    _name, address = parseaddr(value)
    if "@" not in address or any(c in value for c in "\r\n"):
        raise ValueError(
            f"ATLAS_MAIL_FROM must look like Name <address@example.com>, not {value!r}"
        )
    return value


def connect(target: SmtpTarget) -> smtplib.SMTP:
    """An open, greeted, (if offered) encrypted and (if a user is given) logged-in connection."""
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if target.implicit_tls:
        client = smtplib.SMTP_SSL(
            target.host, target.port, timeout=TIMEOUT_SECONDS, context=context
        )
    else:
        client = smtplib.SMTP(target.host, target.port, timeout=TIMEOUT_SECONDS)
    try:
        client.ehlo()
        if not target.implicit_tls and client.has_extn("starttls"):
            client.starttls(context=context)
            client.ehlo()
        if target.username:
            client.login(target.username, target.password or "")
    except BaseException:
        close_quietly(client)
        raise
    return client


def close_quietly(client: smtplib.SMTP | None) -> None:
    if client is None:
        return
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()


def build_message(row: OutboxMessage, *, mail_from: str, date: datetime) -> EmailMessage:
    """The outbox row as multipart/alternative (text, then HTML), with its stable Message-ID:
    a resend after an unclear failure carries the same id, so receivers can tell."""
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = formataddr((row.to_name, row.to_email)) if row.to_name else row.to_email
    message["Subject"] = row.subject
    message["Message-ID"] = row.message_id
    message["Date"] = format_datetime(date)
    unsubscribe = _UNSUBSCRIBE.search(row.text_body)
    if unsubscribe:
        message["List-Unsubscribe"] = f"<{unsubscribe.group(1)}>"
    message.set_content(row.text_body)
    message.add_alternative(row.html_body, subtype="html")
    return message
