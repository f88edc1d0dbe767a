"""The guarded protocol fed exact read splits: how the bytes of a request land in reads.

Under CPU load the server reads a connection less often and at other moments, so one
request's bytes arrive split or coalesced differently from run to run. These tests feed
the protocol the splits that once went wrong, one ``data_received`` call per read, on a
real event loop and the real parser; only the transport is a recorder (a socket cannot
promise where the kernel splits a read).
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import uvicorn
from uvicorn.server import ServerState

from refarch.reference_impl.platform.http_protocol import GuardedHttpProtocol

HEADER_TIMEOUT = 0.05


class ShortDeadlines(GuardedHttpProtocol):
    header_timeout = HEADER_TIMEOUT
    body_timeout = 5.0


class RecordingTransport(asyncio.Transport):
    """What the protocol writes, and whether it closed the connection."""

    def __init__(self) -> None:
        super().__init__()
        self.written = b""
        self.closed = False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 50000)}.get(
            name, default
        )

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += bytes(data)

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """``/early`` answers 413 before reading the body (as a body-size limit does);
    every other path reads the whole body and says how much arrived."""
    if scope["path"] == "/early":
        status, body = 413, b"{}"
    else:
        size = 0
        while True:
            message = await receive()
            size += len(message.get("body", b""))
            if not message.get("more_body"):
                break
        status, body = 200, json.dumps({"received": size}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _feed(*reads: bytes, settle: float = 0.0) -> RecordingTransport:
    """One connection, each of ``reads`` delivered as one read after the app has run."""
    config = uvicorn.Config(app, http=ShortDeadlines, log_config=None, lifespan="off")
    config.load()
    protocol = ShortDeadlines(config, ServerState(), {}, _loop=asyncio.get_running_loop())
    transport = RecordingTransport()
    protocol.connection_made(transport)
    for read in reads:
        protocol.data_received(read)
        for _ in range(10):  # let the app task answer before the next read
            await asyncio.sleep(0)
    await asyncio.sleep(settle)
    still_open = not transport.closed
    protocol.connection_lost(None)  # (which closes the transport itself)
    transport.closed = not still_open
    return transport


def _statuses(transport: RecordingTransport) -> list[int]:
    return [int(status) for status in re.findall(rb"HTTP/1\.1 (\d{3}) ", transport.written)]


def test_a_body_still_arriving_after_an_early_answer_is_not_counted_as_headers() -> None:
    body = b"x" * (4 * GuardedHttpProtocol.max_header_bytes)
    head = b"POST /early HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body)
    quarter = len(body) // 4
    tail = [body[i : i + quarter] for i in range(0, len(body), quarter)]
    after = b"POST /next HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"
    transport = asyncio.run(_feed(head, *tail, after))
    assert _statuses(transport) == [413, 200], transport.written[:600]
    assert not transport.closed


def test_an_answered_requests_body_does_not_arm_the_header_deadline() -> None:
    # the connection then idles in the client's pool: it must not get an unasked-for 408
    head = b"POST /early HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n"
    transport = asyncio.run(_feed(head, b"0123456789", settle=4 * HEADER_TIMEOUT))
    assert _statuses(transport) == [413], transport.written[:600]
    assert not transport.closed


def test_a_head_split_across_reads_is_counted_once() -> None:
    limit = GuardedHttpProtocol.max_header_bytes
    request = b"GET /?q=%s HTTP/1.1\r\nHost: x\r\nX-Note: %s\r\n\r\n" % (
        b"a" * (limit // 4),
        b"b" * (limit // 2),
    )
    for split in (len(request) // 8, len(request) // 2, len(request) - 10):
        transport = asyncio.run(_feed(request[:split], request[split:]))
        assert _statuses(transport) == [200], (split, transport.written[:600])


def test_a_head_over_the_limit_split_across_reads_is_still_refused() -> None:
    limit = GuardedHttpProtocol.max_header_bytes
    request = b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: %s\r\n\r\n" % (b"b" * limit)
    for split in (20, len(request) // 2, len(request) - 10):
        transport = asyncio.run(_feed(request[:split], request[split:]))
        assert _statuses(transport) == [431], (split, transport.written[:600])
        assert transport.closed
