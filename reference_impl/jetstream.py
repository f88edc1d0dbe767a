"""The broker port (``broker.EventBroker``) on NATS JetStream, with ``nats-py``.

Layout on the server (ADR 0036), created idempotently when the first connection opens:

* stream ``<PREFIX>_EVENTS`` on ``<prefix>.>``: every event, subject ``<prefix>.<type>``,
  file storage, a de-duplication window during which a repeated ``Nats-Msg-Id`` (the event
  id) is acknowledged but not stored again (the relay's retries);
* stream ``<PREFIX>_DEAD_LETTERS`` on ``<prefix>-dead.>``: messages a consumer set aside,
  subject ``<prefix>-dead.<consumer>``, headers naming the original subject and the reason;
* one durable pull consumer per consuming service, explicit acks, redelivered after
  ``ack_wait`` when not acknowledged (a consumer killed mid-batch).

The connection is opened lazily and re-opened after failures, so the API starts and keeps
answering while the broker is down; the relay and the consumers wait with backoff.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping, Sequence
from typing import Any

import nats
import nats.errors
import nats.js.errors
import orjson
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StorageType, StreamConfig

from refarch.reference_impl.broker import (
    BatchHandler,
    BrokerUnavailable,
    Delivery,
    Outcome,
)

__all__ = ["JetStreamBroker", "dead_letter_subject", "stream_names"]

log = logging.getLogger("refarch.reference_impl.jetstream")

#: Relay retries within this window are dropped by JetStream (seconds).
DUPLICATE_WINDOW_SECONDS = 300.0
_PUBLISH_TIMEOUT_SECONDS = 5.0
_MAX_BACKOFF_SECONDS = 5.0
_CLOSE_SECONDS = 5.0
#: Header names on a dead letter.
ORIGINAL_SUBJECT_HEADER = "Refarch-Original-Subject"
REASON_HEADER = "Refarch-Dead-Letter-Reason"
_MAX_REASON_CHARS = 1000


def stream_names(prefix: str) -> tuple[str, str]:
    """(events stream, dead-letter stream) for a subject prefix: refarch -> REFARCH_EVENTS."""
    base = prefix.upper().replace(".", "_").replace("-", "_")
    return f"{base}_EVENTS", f"{base}_DEAD_LETTERS"


def dead_letter_subject(prefix: str, consumer: str) -> str:
    return f"{prefix}-dead.{consumer}"


class JetStreamBroker:
    def __init__(
        self,
        url: str,
        *,
        prefix: str = "refarch",
        ack_wait_seconds: float = 30.0,
        batch_size: int = 100,
    ) -> None:
        self._url = url
        self._prefix = prefix
        self._ack_wait = ack_wait_seconds
        self._batch_size = batch_size
        self._events_stream, self._dead_stream = stream_names(prefix)
        self._nc: Client | None = None
        self._js: JetStreamContext | None = None
        self._connecting = asyncio.Lock()

    @property
    def prefix(self) -> str:
        return self._prefix

    # --- connection ----------------------------------------------------------------------

    async def _context(self) -> JetStreamContext:
        """The JetStream context, connecting (and creating the streams) on first use."""
        if self._js is not None and self._nc is not None and not self._nc.is_closed:
            return self._js
        async with self._connecting:
            if self._js is not None and self._nc is not None and not self._nc.is_closed:
                return self._js
            try:
                nc = await nats.connect(
                    self._url,
                    connect_timeout=2,
                    allow_reconnect=True,
                    max_reconnect_attempts=-1,  # ride out any outage once connected
                    reconnect_time_wait=0.5,
                    error_cb=_log_error,
                    disconnected_cb=_log_disconnected,
                    reconnected_cb=_log_reconnected,
                )
            except (OSError, nats.errors.Error, TimeoutError) as exc:
                raise BrokerUnavailable(f"cannot connect to NATS at {self._url}: {exc!r}") from exc
            js = nc.jetstream(timeout=_PUBLISH_TIMEOUT_SECONDS)
            try:
                await self._ensure_streams(js)
            except BaseException:
                await nc.close()
                raise
            self._nc, self._js = nc, js
            log.info("connected to NATS JetStream at %s", self._url)
            return js

    async def _ensure_streams(self, js: JetStreamContext) -> None:
        """Create the two streams, or bring an existing one to this configuration."""
        for config in (
            StreamConfig(
                name=self._events_stream,
                subjects=[f"{self._prefix}.>"],
                storage=StorageType.FILE,
                duplicate_window=DUPLICATE_WINDOW_SECONDS,
            ),
            StreamConfig(
                name=self._dead_stream,
                subjects=[f"{dead_letter_subject(self._prefix, '>')}"],
                storage=StorageType.FILE,
            ),
        ):
            try:
                await js.add_stream(config)
            except nats.js.errors.BadRequestError:  # exists with another configuration
                await js.update_stream(config)
            except (nats.errors.Error, OSError) as exc:
                raise BrokerUnavailable(f"cannot create stream {config.name}: {exc!r}") from exc

    async def close(self) -> None:
        nc, self._nc, self._js = self._nc, None, None
        if nc is not None and not nc.is_closed:
            # bounded: a shutdown must not wait on a broker that stopped answering
            with contextlib.suppress(nats.errors.Error, OSError, TimeoutError):
                await asyncio.wait_for(nc.close(), timeout=_CLOSE_SECONDS)

    # --- publishing ----------------------------------------------------------------------

    def subject_of(self, envelope: Mapping[str, Any]) -> str:
        return f"{self._prefix}.{envelope['type']}"

    async def publish(self, envelope: Mapping[str, Any]) -> None:
        await self.publish_many([envelope])

    async def publish_many(self, envelopes: Sequence[Mapping[str, Any]]) -> None:
        """Send all, in order, without waiting in between; then wait for every ack."""
        if not envelopes:
            return
        js = await self._context()
        try:
            pending = [
                await js.publish_async(
                    self.subject_of(envelope),
                    orjson.dumps(envelope),
                    headers={
                        "Nats-Msg-Id": str(envelope["id"]),
                        "Content-Type": "application/json",
                    },
                )
                for envelope in envelopes
            ]
            async with asyncio.timeout(_PUBLISH_TIMEOUT_SECONDS):
                await asyncio.gather(*pending)
        except (nats.errors.Error, OSError, TimeoutError) as exc:
            raise BrokerUnavailable(f"JetStream did not confirm a publish: {exc!r}") from exc

    # --- consuming -----------------------------------------------------------------------

    async def consume(
        self, name: str, handle: BatchHandler, *, event_types: Sequence[str] = ()
    ) -> None:
        """Fetch batches for the durable consumer ``name`` until cancelled; only events of
        ``event_types`` (all when empty) are delivered to it.

        Any failure of the broker or the handler waits (growing backoff) and resumes; the
        messages of a failed batch are redelivered (nak), so nothing is lost.
        """
        backoff = 0.1
        while True:
            progress: list[int] = []  # batches handled in this round
            try:
                await self._consume_until_failure(name, handle, event_types, progress)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if progress:
                    backoff = 0.1  # it worked for a while: a new fault, not the same one
                log.warning("consumer %s interrupted (%r); retrying in %.1fs", name, exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, _MAX_BACKOFF_SECONDS)
                if isinstance(exc, BrokerUnavailable | nats.errors.ConnectionClosedError):
                    await self.close()  # the next round connects afresh

    async def _consume_until_failure(
        self, name: str, handle: BatchHandler, event_types: Sequence[str], progress: list[int]
    ) -> None:
        js = await self._context()
        subjects = [f"{self._prefix}.{event_type}" for event_type in event_types]
        config = ConsumerConfig(
            durable_name=name,
            filter_subjects=subjects or [f"{self._prefix}.>"],
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            ack_wait=self._ack_wait,
            max_ack_pending=10 * self._batch_size,
        )
        try:
            await js.add_consumer(self._events_stream, config)  # create or update
            subscription = await js.pull_subscribe_bind(durable=name, stream=self._events_stream)
        except (nats.errors.Error, OSError) as exc:
            raise BrokerUnavailable(f"cannot open durable consumer {name}: {exc!r}") from exc
        try:
            while True:
                try:
                    messages = await self._next_batch(subscription)
                except TimeoutError:  # nats-py raises its own subclass or the builtin one
                    continue  # nothing waiting
                await self._handle_batch(js, name, messages, handle)
                progress.append(len(messages))
        finally:
            with contextlib.suppress(nats.errors.Error, OSError):
                await subscription.unsubscribe()

    async def _next_batch(self, subscription: JetStreamContext.PullSubscription) -> list[Msg]:
        """Up to a batch, as soon as at least one message is there.

        nats-py's ``fetch(n)`` returns at once what is waiting, but when nothing is it
        lingers until all ``n`` arrived or the timeout passed: a quiet stream would hold
        each event up to the timeout. So: wait for one, then take what else is waiting.
        """
        messages = await subscription.fetch(1, timeout=1.0)
        if self._batch_size > 1:
            with contextlib.suppress(TimeoutError):  # nats-py's subclass or the builtin
                messages += await subscription.fetch(self._batch_size - 1, timeout=0.01)
        return messages

    async def _handle_batch(
        self, js: JetStreamContext, name: str, messages: list[Msg], handle: BatchHandler
    ) -> None:
        deliveries = [
            Delivery(subject=msg.subject, body=msg.data, attempt=_attempt(msg)) for msg in messages
        ]
        try:
            settles = await handle(deliveries)
        except asyncio.CancelledError:
            raise
        except Exception:
            for msg in messages:
                with contextlib.suppress(nats.errors.Error):
                    await msg.nak(delay=1.0)
            raise
        for msg, settle in zip(messages, settles, strict=True):
            if settle.outcome is Outcome.ACK:
                await msg.ack()
            elif settle.outcome is Outcome.RETRY:
                await msg.nak(delay=min(2.0 ** _attempt(msg), 60.0))
            else:
                await self._dead_letter(js, name, msg, settle.reason)

    async def pending(self, name: str) -> int | None:
        """Messages the durable consumer ``name`` has not acknowledged yet (waiting or in
        flight); None when the broker or the consumer cannot be asked (its lag is unknown)."""
        try:
            js = await self._context()
            info = await js.consumer_info(self._events_stream, name)
        except (BrokerUnavailable, nats.errors.Error, OSError):
            return None
        return int(info.num_pending or 0) + int(info.num_ack_pending or 0)

    async def _dead_letter(self, js: JetStreamContext, name: str, msg: Msg, reason: str) -> None:
        """Store the message on the dead-letter stream, then stop its redelivery (term)."""
        headers = dict(msg.headers or {})
        headers.pop("Nats-Msg-Id", None)  # the dead letter is a new message
        headers[ORIGINAL_SUBJECT_HEADER] = msg.subject
        headers[REASON_HEADER] = " ".join(reason.split())[:_MAX_REASON_CHARS] or "malformed"
        await js.publish(dead_letter_subject(self._prefix, name), msg.data, headers=headers)
        await msg.term()
        log.error("consumer %s set aside a message on %s: %s", name, msg.subject, reason)


def _attempt(msg: Msg) -> int:
    try:
        return int(msg.metadata.num_delivered)
    except (nats.errors.Error, AttributeError, ValueError, TypeError):
        return 1


async def _log_error(exc: Exception) -> None:
    log.warning("NATS connection error: %r", exc)


async def _log_disconnected() -> None:
    log.warning("disconnected from NATS; reconnecting")


async def _log_reconnected() -> None:
    log.info("reconnected to NATS")
