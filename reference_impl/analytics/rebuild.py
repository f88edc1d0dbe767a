"""Rebuild the analytics store from the event stream: replay from the first event into a
fresh DuckDB file, then swap it in for the live one (ANL-010).

The store is a pure function of the stream (facts keyed by the events that carried them),
so replaying every retained event gives the same figures as the live consumer computed,
however its deliveries were ordered or repeated. The replay reads the stream with an
ephemeral consumer (nothing acknowledged, the durable ``analytics`` consumer's position
untouched) up to the last message stored when it began; events published later reach the
rebuilt store through the durable consumer, which redelivers what it has not acknowledged
and skips nothing it has (the ledger de-duplicates the overlap).

The swap needs the live store closed: DuckDB allows one process to hold a file, and a
service that kept the old file open would keep writing to it. ``refarch analytics
rebuild`` therefore refuses while ``refarch serve`` holds the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import nats
import nats.errors
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from refarch.reference_impl.analytics.intake import Intake, Verdict
from refarch.reference_impl.analytics.store import AnalyticsStore

__all__ = ["RebuildReport", "StoreInUse", "StreamUnavailable", "rebuild", "replay"]

_BATCH = 1000
_CONNECT_SECONDS = 5.0
_FETCH_TIMEOUT_SECONDS = 2.0


class StoreInUse(RuntimeError):
    """The live store is open in another process (a running service)."""


class StreamUnavailable(RuntimeError):
    """The broker or the event stream cannot be read."""


@dataclass(frozen=True, slots=True)
class RebuildReport:
    replayed: int  # messages read from the stream
    applied: int  # distinct events stored
    set_aside: int  # messages that break the contract (already dead-lettered when live)
    path: Path


async def replay(
    nats_url: str, prefix: str, ingest: Callable[[Sequence[bytes]], list[Verdict]]
) -> int:
    """Feed every message stored on ``<prefix>.>`` when the replay starts to ``ingest``, in
    stream order and batches; returns how many were read."""
    try:
        # nats-py retries an initial connection for minutes; a rebuild should say at once
        nc = await asyncio.wait_for(
            nats.connect(nats_url, connect_timeout=2, allow_reconnect=False),
            _CONNECT_SECONDS,
        )
    except (OSError, TimeoutError, nats.errors.Error) as exc:
        raise StreamUnavailable(f"cannot connect to NATS at {nats_url}: {exc!r}") from exc
    try:
        js = nc.jetstream(timeout=5)
        try:
            stream = await js.find_stream_name_by_subject(f"{prefix}.>")
            last = (await js.stream_info(stream)).state.last_seq
        except (TimeoutError, nats.errors.Error) as exc:
            raise StreamUnavailable(
                f"no JetStream stream holds {prefix}.> at {nats_url} ({exc!r}): is the"
                " subject prefix right (REFARCH_EVENT_SUBJECT_PREFIX)?"
            ) from exc
        if not last:
            return 0
        subscription = await js.pull_subscribe(
            f"{prefix}.>",
            stream=stream,
            config=ConsumerConfig(
                deliver_policy=DeliverPolicy.ALL,
                ack_policy=AckPolicy.NONE,
                inactive_threshold=60.0,
            ),
        )
        read, position = 0, 0
        while position < last:
            try:
                messages = await subscription.fetch(_BATCH, timeout=_FETCH_TIMEOUT_SECONDS)
            except nats.errors.TimeoutError:
                break  # the tail was deleted from the stream: nothing more to read
            wanted = [m for m in messages if m.metadata.sequence.stream <= last]
            if wanted:
                ingest([m.data for m in wanted])
                read += len(wanted)
            position = max(m.metadata.sequence.stream for m in messages)
        with contextlib.suppress(nats.errors.Error):
            await subscription.unsubscribe()
        return read
    finally:
        await nc.close()


def _remove_store(path: Path) -> None:
    for file in (path, path.with_name(path.name + ".wal")):
        file.unlink(missing_ok=True)


async def rebuild(live: Path, nats_url: str, prefix: str) -> RebuildReport:
    """Replay the stream into ``<live>.rebuild`` and swap it in for ``live``."""
    try:
        AnalyticsStore.open(live).close()  # fails while a service holds the file
    except Exception as exc:
        if "lock" in str(exc).lower():
            raise StoreInUse(str(exc)) from exc
        raise
    fresh = live.with_name(live.name + ".rebuild")
    _remove_store(fresh)
    store = AnalyticsStore.open(fresh)
    intake = Intake(store)
    try:
        replayed = await replay(nats_url, prefix, intake.ingest)
    except BaseException:
        store.close()
        _remove_store(fresh)
        raise
    store.close()  # a clean close checkpoints: the fresh file has no write-ahead log
    # The old store's write-ahead log must not be replayed onto the new file.
    live.with_name(live.name + ".wal").unlink(missing_ok=True)
    os.replace(fresh, live)
    return RebuildReport(replayed, intake.applied, intake.dead_letters, live)
