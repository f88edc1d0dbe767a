"""A real SMTP server on loopback (aiosmtpd) whose replies a test scripts.

``rcpt_replies`` are answered to RCPT TO commands in order (then "250 OK"): a test makes
the relay greylist (451) once, bounce (550), or accept. Every accepted message is kept,
parsed, in ``accepted``; every refused recipient in ``refused``.
"""

from __future__ import annotations

import socket
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from refarch.reference_impl.settings import SmtpRelay

__all__ = ["ScriptedSmtp", "closed_port", "scripted_smtp"]


@dataclass
class ScriptedSmtp:
    rcpt_replies: deque[str]
    port: int = 0
    accepted: list[EmailMessage] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)

    @property
    def relay(self) -> SmtpRelay:
        return SmtpRelay(host="127.0.0.1", port=self.port)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        reply = self.rcpt_replies.popleft() if self.rcpt_replies else "250 OK"
        if reply.startswith("250"):
            envelope.rcpt_tos.append(address)
        else:
            self.refused.append((address, reply))
        return reply

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.accepted.append(parsed)
        return "250 Message accepted for delivery"


def closed_port() -> int:
    """A loopback port nothing listens on: connecting to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def scripted_smtp(rcpt_replies: Iterable[str] = ()) -> Iterator[ScriptedSmtp]:
    from aiosmtpd.controller import Controller

    handler = ScriptedSmtp(deque(rcpt_replies))
    handler.port = closed_port()
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    try:
        yield handler
    finally:
        controller.stop()
