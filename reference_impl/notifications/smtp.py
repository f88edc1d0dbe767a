"""Sending one email over SMTP (aiosmtplib), and telling a retry from a bounce.

For the recipient and the message, the SMTP reply code decides (RFC 5321 section 4.2.1):
4xx is a temporary failure (a greylisting 451, a full queue) worth retrying later; 5xx is
permanent (550 no such user) and retrying cannot help. A relay that cannot be reached,
drops the line, times out, or refuses the session itself (greeting, login, sender) is
temporary: the message did not leave and nothing is wrong with it.
"""

from __future__ import annotations

from email.message import EmailMessage
from typing import Protocol

import aiosmtplib

from refarch.reference_impl.settings import SmtpRelay

__all__ = ["Mailer", "PermanentFailure", "SmtpMailer", "TemporaryFailure"]

#: Longest wait for the relay per step (connect, each command): a hung relay costs one
#: attempt, not a sender stuck for ever.
SEND_TIMEOUT_SECONDS = 30.0


class TemporaryFailure(Exception):
    """The message was not accepted this time; try again later."""


class PermanentFailure(Exception):
    """The relay refused the message for good (5xx): set the delivery aside."""


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> None:
        """Hand ``message`` to the relay; raise TemporaryFailure or PermanentFailure."""


def _describe(code: int, text: str) -> str:
    return f"{code} {text}".strip()


class SmtpMailer:
    def __init__(self, relay: SmtpRelay, *, timeout: float = SEND_TIMEOUT_SECONDS) -> None:
        self._relay = relay
        self._timeout = timeout

    async def send(self, message: EmailMessage) -> None:
        relay = self._relay
        try:
            await aiosmtplib.send(
                message,
                hostname=relay.host,
                port=relay.port,
                username=relay.username,
                password=relay.password,
                start_tls=relay.start_tls,
                use_tls=relay.implicit_tls,
                timeout=self._timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            # one recipient per message: its refusal is the message's
            refusal = exc.recipients[0]
            raise _by_code(refusal.code, _describe(refusal.code, refusal.message)) from exc
        except aiosmtplib.SMTPDataError as exc:  # the content itself was refused, or deferred
            raise _by_code(exc.code, _describe(exc.code, exc.message)) from exc
        except aiosmtplib.SMTPResponseException as exc:
            # Refused at greeting, login or sender: the relay or our configuration is at
            # fault, not this message; it waits (and the retries show up) until fixed.
            raise TemporaryFailure(
                f"relay {relay.url} refused the session: {_describe(exc.code, exc.message)}"
            ) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise TemporaryFailure(
                f"relay {relay.url} unreachable: {type(exc).__name__}: {exc}"
            ) from exc


def _by_code(code: int, description: str) -> Exception:
    if 500 <= code < 600:
        return PermanentFailure(description)
    return TemporaryFailure(description)
