"""Before a run with ``--broker-url``: is it a NATS URL, and does the broker hold the
implementation's event stream? Answered in seconds with a message that says what to fix,
instead of every event test failing on its own."""

from __future__ import annotations

import re

from refarch.conformance.events.log import BrokerUnusable, EventLog

__all__ = ["check_broker"]

_SCHEMES = ("nats://", "tls://", "ws://", "wss://")
#: NATS subject tokens: no wildcards, no spaces, no empty token.
_PREFIX = re.compile(r"^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$")


def check_broker(url: str, prefix: str) -> None:
    """Raise BrokerUnusable saying why the event tests could not run against ``url``."""
    if not url.startswith(_SCHEMES):
        raise BrokerUnusable(
            f"--broker-url {url!r} is not a NATS URL: write it as nats://host:4222"
        )
    if not _PREFIX.match(prefix):
        raise BrokerUnusable(
            f"--subject-prefix {prefix!r} is not a NATS subject prefix: letters, digits, "
            "'-' and '_' in tokens separated by dots, e.g. refarch"
        )
    EventLog(url, prefix).close()  # connects and finds the stream, or says why not
