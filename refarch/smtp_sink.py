"""A local SMTP sink for zero set-up: mail the platform sends lands in a maildir.

``refarch serve`` starts one on loopback when no ``SMTP_URL`` names a real relay, so
notification emails work on a laptop without an account anywhere; ``refarch mail`` lists
and reads what it stored. The server is aiosmtpd's, in a thread of the process that starts
it: it ends with that process however it ends (a thread cannot outlive it), and the
``running`` block stops it on every orderly exit. It accepts any sender and recipient and
relays nothing: it is an inbox for a developer, never an open relay.
"""

from __future__ import annotations

import mailbox
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

__all__ = ["SINK_HOST", "StoredMail", "list_mail", "maildir_of", "read_mail", "running"]

SINK_HOST = "127.0.0.1"


def maildir_of(data_dir: Path) -> Path:
    """Where the sink of a data directory keeps its mail."""
    return data_dir / "mail"


def _free_port(host: str) -> int:
    # aiosmtpd's controller checks its server by connecting to the configured port, so it
    # needs a real number rather than 0; the tiny window before it binds is harmless here.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


@contextmanager
def running(maildir: Path, *, port: int = 0) -> Iterator[str]:
    """Serve SMTP on loopback into ``maildir`` until the block ends; yields ``smtp://…``."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Mailbox

    maildir.parent.mkdir(parents=True, exist_ok=True)
    port = port or _free_port(SINK_HOST)
    controller = Controller(Mailbox(maildir), hostname=SINK_HOST, port=port)
    controller.start()
    try:
        yield f"smtp://{SINK_HOST}:{port}"
    finally:
        controller.stop()


@dataclass(frozen=True)
class StoredMail:
    key: str  # the maildir's name for the message: what `refarch mail read` takes
    received_at: datetime
    sender: str
    to: str
    subject: str


def _open(maildir: Path) -> mailbox.Maildir:
    return mailbox.Maildir(maildir, create=False)


def list_mail(maildir: Path) -> list[StoredMail]:
    """Every stored message, oldest first; empty when the sink never received any."""
    if not (maildir / "cur").is_dir():
        return []
    found = []
    for key, message in _open(maildir).items():
        found.append(
            StoredMail(
                key=key,
                received_at=datetime.fromtimestamp(message.get_date(), UTC),
                sender=str(message.get("From", "")),
                to=str(message.get("To", "")),
                subject=str(message.get("Subject", "")),
            )
        )
    return sorted(found, key=lambda mail: (mail.received_at, mail.key))


def read_mail(maildir: Path, key: str) -> str:
    """The message stored under ``key``, as text; KeyError when there is none."""
    if not (maildir / "cur").is_dir():
        raise KeyError(key)
    return _open(maildir)[key].as_string()
