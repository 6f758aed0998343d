"""One email in two forms: plain text and HTML, every user-supplied string escaped.

Messages are built from parts (paragraphs, facts, action links), never from user text
pasted into HTML: ``render`` escapes each part, so a lead named
``<img src=x onerror=alert(1)>`` arrives as text in both forms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

FOOTER = "Partner Atlas — a vendor-neutral directory of IT partners for small businesses."


@dataclass(frozen=True)
class Email:
    subject: str
    greeting: str  # "Hello Ana," — user text, escaped
    paragraphs: list[str] = field(default_factory=list)  # user text allowed, escaped
    facts: list[tuple[str, str]] = field(default_factory=list)  # label, value; escaped
    actions: list[tuple[str, str]] = field(default_factory=list)  # label, absolute URL
    unsubscribe_url: str | None = None  # set for every non-essential message


def _one_line(text: str) -> str:
    # A subject is a header: a line break in user text must not start a new header.
    return " ".join(text.split())


def render_text(email: Email) -> str:
    lines = [email.greeting, ""]
    for paragraph in email.paragraphs:
        lines += [paragraph, ""]
    for label, value in email.facts:
        lines.append(f"{label}: {value}")
    if email.facts:
        lines.append("")
    for label, url in email.actions:
        lines += [f"{label}:", url, ""]
    lines += ["-- ", FOOTER]
    if email.unsubscribe_url:
        lines.append(f"Unsubscribe from these messages: {email.unsubscribe_url}")
    return "\n".join(lines) + "\n"


def render_html(email: Email) -> str:
    parts = [
        '<!doctype html><html><body style="font-family:sans-serif;color:#1f2328">',
        f"<p>{escape(email.greeting)}</p>",
    ]
    parts += [f"<p>{escape(p)}</p>".replace("\n", "<br>") for p in email.paragraphs]
    if email.facts:
        rows = "".join(
            f'<tr><th align="left" style="padding-right:12px">{escape(label)}</th>'
            f"<td>{escape(value)}</td></tr>"
            for label, value in email.facts
        )
        parts.append(f"<table>{rows}</table>")
    for label, url in email.actions:
        parts.append(f'<p><a href="{escape(url, quote=True)}">{escape(label)}</a></p>')
    parts.append(f'<hr><p style="color:#57606a;font-size:12px">{escape(FOOTER)}')
    if email.unsubscribe_url:
        parts.append(
            f'<br><a href="{escape(email.unsubscribe_url, quote=True)}">'
            "Unsubscribe from these messages</a>"
        )
    parts.append("</p></body></html>")
    return "".join(parts)


def subject_line(email: Email) -> str:
    return _one_line(email.subject)[:300]
