"""Record every message the implementation publishes, from a JetStream consumer of our own.

The suite's tests are synchronous (httpx), while ``nats-py`` is asyncio: the log runs its
own event loop in a daemon thread and hands results across with ``run_coroutine_threadsafe``.

The consumer is ephemeral, delivers only messages stored after it was created (deliver
policy *new*) and is found by subject, never by stream name: the contract fixes the
subjects (``<prefix>.<type>``), not how an implementation names its stream.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import threading
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

import nats
import nats.errors
import nats.js.errors
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

__all__ = ["BrokerUnusable", "EventLog", "ReceivedEvent", "find_stream"]

T = TypeVar("T")
_CONNECT_SECONDS = 5.0
_RECONNECT_ATTEMPTS = 10
#: Short, so a test can watch a message come back when it is not acknowledged (EVT-006).
REDELIVERY_ACK_WAIT_SECONDS = 1.0


class BrokerUnusable(RuntimeError):
    """The broker cannot be reached, or holds no stream for the event subjects."""


@dataclass(frozen=True)
class ReceivedEvent:
    """One message as it arrived: raw, and its body parsed when it is JSON."""

    index: int  # arrival order in this log
    subject: str
    headers: dict[str, str]
    raw: bytes = field(repr=False)
    body: Any  # the parsed JSON, or None when the bytes are not JSON
    stream_sequence: int
    delivered: int  # how often the broker delivered it to this consumer (1 = first time)

    @property
    def envelope(self) -> dict[str, Any]:
        return self.body if isinstance(self.body, dict) else {}

    @property
    def id(self) -> str:
        return str(self.envelope.get("id", ""))

    @property
    def type(self) -> str:
        return str(self.envelope.get("type", ""))

    @property
    def aggregate(self) -> tuple[str, str]:
        return str(self.envelope.get("aggregate_type", "")), str(
            self.envelope.get("aggregate_id", "")
        )

    @property
    def data(self) -> dict[str, Any]:
        value = self.envelope.get("data")
        return value if isinstance(value, dict) else {}

    def describe(self) -> str:
        text = self.raw.decode("utf-8", "replace")
        return f"#{self.index} {self.subject} {text[:400]}"


def _parse(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None


async def find_stream(js: Any, prefix: str) -> str:
    """The name of the stream that stores ``<prefix>.>``; BrokerUnusable when none does."""
    try:
        return str(await js.find_stream_name_by_subject(f"{prefix}.>"))
    except nats.js.errors.NotFoundError:
        raise BrokerUnusable(
            f"no JetStream stream stores the subjects {prefix}.> on this server: start the "
            "implementation with this broker (it creates its stream), or pass the "
            "--subject-prefix it publishes with"
        ) from None


class EventLog:
    """A running subscription; ``close()`` ends it (and deletes the ephemeral consumer)."""

    def __init__(self, url: str, prefix: str) -> None:
        self.url, self.prefix = url, prefix
        self._events: list[ReceivedEvent] = []
        self._changed = threading.Condition()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._nc: Client | None = None
        self._last_error: Exception | None = None
        self.stream = ""
        try:
            self._call(self._open(), _CONNECT_SECONDS * 4)
        except concurrent.futures.TimeoutError:
            self.close()
            raise BrokerUnusable(
                f"the broker at {self.url} did not answer within {_CONNECT_SECONDS * 4:g} s"
            ) from None
        except BaseException:
            self.close()
            raise

    # --- the asyncio side ----------------------------------------------------------------
    def _call(self, coroutine: Coroutine[Any, Any, T], timeout: float) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    async def _open(self) -> None:
        try:
            self._nc = await nats.connect(
                self.url,
                connect_timeout=_CONNECT_SECONDS,
                # nats-py retries the first connection as often as a lost one: bounded, so an
                # unreachable broker is reported in seconds; a run survives short outages
                max_reconnect_attempts=_RECONNECT_ATTEMPTS,
                reconnect_time_wait=0.5,
                error_cb=self._connection_error,
            )
        except (TimeoutError, OSError, nats.errors.Error) as exc:
            reason = self._last_error or exc
            raise BrokerUnusable(f"cannot connect to the broker at {self.url}: {reason}") from None
        js = self._nc.jetstream()
        self.stream = await find_stream(js, self.prefix)
        await js.subscribe(
            f"{self.prefix}.>",
            stream=self.stream,
            cb=self._received,
            manual_ack=True,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.NEW, ack_policy=AckPolicy.EXPLICIT),
        )

    async def _connection_error(self, error: Exception) -> None:
        # kept for the message instead of nats-py logging a traceback per attempt
        self._last_error = error

    async def _received(self, msg: Msg) -> None:
        metadata = msg.metadata
        with self._changed:
            event = ReceivedEvent(
                index=len(self._events),
                subject=msg.subject,
                headers=dict(msg.headers or {}),
                raw=bytes(msg.data),
                body=_parse(msg.data),
                stream_sequence=int(metadata.sequence.stream),
                delivered=int(metadata.num_delivered),
            )
            self._events.append(event)
            self._changed.notify_all()
        await msg.ack()

    async def _shutdown(self) -> None:
        if self._nc is not None and not self._nc.is_closed:
            await self._nc.drain()

    def close(self) -> None:
        if self._loop.is_running():
            # closing must never hide the run's own result
            with contextlib.suppress(Exception):
                self._call(self._shutdown(), _CONNECT_SECONDS)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(_CONNECT_SECONDS)
        if not self._loop.is_running():
            self._loop.close()

    # --- the test side --------------------------------------------------------------------
    def events(self) -> list[ReceivedEvent]:
        with self._changed:
            return list(self._events)

    def wait_for(
        self,
        matches: Callable[[ReceivedEvent], bool],
        timeout: float,
        *,
        count: int = 1,
    ) -> list[ReceivedEvent]:
        """The recorded events that match, once there are ``count`` of them or after
        ``timeout`` seconds, whichever comes first (fewer than ``count`` on time-out)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [e for e in self._events if matches(e)]
                remaining = deadline - time.monotonic()
                if len(found) >= count or remaining <= 0:
                    return found
                self._changed.wait(remaining)

    def publish(self, subject: str, payload: bytes, headers: dict[str, str]) -> None:
        """Publish to the implementation's stream (the malformed-message test, EVT-008)."""

        async def send() -> None:
            assert self._nc is not None
            await self._nc.jetstream().publish(subject, payload, headers=headers)

        self._call(send(), _CONNECT_SECONDS * 2)

    def redeliveries(
        self, subject: str, action: Callable[[], object], timeout: float
    ) -> list[bytes]:
        """Run ``action`` with a second consumer on ``subject`` that never acknowledges, and
        return the bodies of the first message's first two deliveries (EVT-006)."""

        async def subscribe() -> Any:
            assert self._nc is not None
            return await self._nc.jetstream().pull_subscribe(
                subject,
                stream=self.stream,
                config=ConsumerConfig(
                    deliver_policy=DeliverPolicy.NEW,
                    ack_policy=AckPolicy.EXPLICIT,
                    ack_wait=REDELIVERY_ACK_WAIT_SECONDS,
                    max_deliver=5,
                ),
            )

        async def fetch_one(sub: Any, wait: float) -> bytes | None:
            try:
                [msg] = await sub.fetch(1, timeout=wait)
            except (TimeoutError, nats.errors.TimeoutError):
                return None
            return bytes(msg.data)  # never acknowledged: the broker delivers it again

        sub = self._call(subscribe(), _CONNECT_SECONDS * 2)
        try:
            action()
            bodies = []
            for _ in range(2):
                body = self._call(fetch_one(sub, timeout), timeout + _CONNECT_SECONDS)
                if body is None:
                    break
                bodies.append(body)
            return bodies
        finally:
            self._call(sub.unsubscribe(), _CONNECT_SECONDS)
