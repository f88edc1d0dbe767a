"""The email a notification becomes. Standard library only.

The Message-ID is derived from the notification id, never random: when the sender resends
after a crash between the relay's "250 accepted" and its own commit, the copy carries the
same Message-ID and a receiver (or the user's mail client) can drop it (ADR 0041).
"""

from __future__ import annotations

from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from uuid import UUID

__all__ = ["OutgoingMail", "compose", "message_id_domain"]

#: Header naming the notification, so a reader of the mailbox can find its in-app copy.
NOTIFICATION_HEADER = "X-Refarch-Notification-Id"


@dataclass(frozen=True, slots=True)
class OutgoingMail:
    """A claimed delivery with everything needed to write its email."""

    notification_id: UUID
    message_id: str
    to: str
    first_name: str | None
    subject: str
    body: str
    attempts: int  # sends tried so far, this one included


def message_id_domain(sender: str) -> str:
    """The domain part of every Message-ID: the sender's own domain.

    The delivery queue derives each Message-ID once, when it queues the email, as
    ``<notification-<notification id>@<this domain>>``: the same for every attempt.
    """
    _, address = parseaddr(sender)
    return address.rpartition("@")[2] or "refarch.invalid"


def compose(mail: OutgoingMail, *, sender: str) -> EmailMessage:
    message = EmailMessage()
    name, address = parseaddr(sender)
    message["From"] = Address(display_name=name, addr_spec=address) if name else address
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = mail.message_id
    message[NOTIFICATION_HEADER] = str(mail.notification_id)
    greeting = f"Hello {mail.first_name}," if mail.first_name else "Hello,"
    message.set_content(
        f"{greeting}\n\n{mail.body}\n\n"
        "You receive this email because you have an account with refarch.\n"
    )
    return message
