"""A real SMTP server for the tests: aiosmtpd on a free loopback port, collecting what it
accepts. It can be stopped and started again on the same port (an outage), and told to drop
the connection instead of accepting the next message (an outage in the middle of a batch).
"""

from __future__ import annotations

import asyncio
import socket
from collections import Counter
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Collector:
    """The aiosmtpd handler: keeps every accepted message."""

    received: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    accept_then_drop: int | None = None  # accept this many, then drop the connection
    refuse: dict[str, str] = field(default_factory=dict)  # RCPT address -> SMTP reply
    delay: float = 0.0
    # SMTP sessions that delivered mail, kept alive so that no two share an id()
    connections: list[Any] = field(default_factory=list)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.accept_then_drop is not None and len(self.received) >= self.accept_then_drop:
            server.transport.close()  # the server goes away before saying "250"
            return "421 going away"
        if self.delay:
            await asyncio.sleep(self.delay)
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(message)
        if not any(known is session for known in self.connections):
            self.connections.append(session)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted"

    def message_ids(self) -> Counter[str]:
        return Counter(str(m["Message-ID"]) for m in self.received)


class SmtpServer:
    """One port, one collector; ``stop``/``start`` make an outage."""

    def __init__(self, *, login: tuple[str, str] | None = None) -> None:
        self.port = free_port()
        self.collector = Collector()
        self.login = login
        self.logins: list[str] = []
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and self.login == (
            data.login.decode(),
            data.password.decode(),
        )
        if ok:
            self.logins.append(data.login.decode())
        return AuthResult(success=ok, handled=False)

    def start(self) -> None:
        kwargs: dict[str, Any] = {}
        if self.login is not None:
            kwargs = {"authenticator": self._authenticate, "auth_require_tls": False}
        self._controller = Controller(
            self.collector, hostname="127.0.0.1", port=self.port, enable_SMTPUTF8=True, **kwargs
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
