"""The HTTP/1.1 connection: uvicorn's httptools protocol with the limits it lacks.

uvicorn bounds neither how long a client may take to send its request nor how large the
request line and headers may grow (httptools buffers an unfinished header whole: eight
unfinished 40 MB headers took a server from 196 MB to 583 MB), and the requests it cannot
parse (an unknown method such as ``FOO``, a malformed request line) it answers itself in
``text/plain`` without ``X-Request-ID`` or ``nosniff``. This subclass, handed to uvicorn as
its ``http`` protocol class, adds:

* a deadline for the request line and headers (``HEADER_TIMEOUT_SECONDS`` from the
  connection's first byte, or from its opening when nothing arrives) and one for the body
  (``BODY_TIMEOUT_SECONDS`` once the headers are in): past either the client gets 408
  problem+json and the connection is closed, so slowloris connections do not pile up;
* at most ``MAX_HEADER_BYTES`` of request line and headers, and ``MAX_HEADERS`` header
  fields: 431 problem+json (RFC 6585), counted while they stream in;
* problem+json for every refusal made here, with the same security headers and a fresh
  ``X-Request-ID`` as the gateway's: 501 for a method the parser does not know (RFC 9110
  15.6.2), 400 for anything else it cannot parse.

Kept on httptools rather than another server: the bench ratios were measured on it, and
the change is a few callbacks (ADR 0030).
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

import httptools
import orjson
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from refarch.reference_impl.platform.problems import Problem

__all__ = [
    "BODY_TIMEOUT_SECONDS",
    "HEADER_TIMEOUT_SECONDS",
    "MAX_HEADERS",
    "MAX_HEADER_BYTES",
    "GuardedHttpProtocol",
]

log = logging.getLogger("refarch.reference_impl.http")

HEADER_TIMEOUT_SECONDS = 10.0
BODY_TIMEOUT_SECONDS = 30.0  # 1 MiB (the body limit) then needs at least 35 KB/s
MAX_HEADER_BYTES = 16 * 1024  # request line and headers, as nginx's large_client_header_buffers
MAX_HEADERS = 100

#: the gateway's security headers (kept in step by tests/reference_impl/platform)
SECURITY_HEADERS = (
    b"x-content-type-options: nosniff\r\n"
    b"x-frame-options: DENY\r\n"
    b"referrer-policy: no-referrer\r\n"
    b"cache-control: no-store\r\n"
)


class _Refused(Exception):
    """Raised from a parser callback to stop parsing a request that is being refused."""


class GuardedHttpProtocol(HttpToolsProtocol):
    """httptools with read deadlines, header limits and problem+json refusals.

    The limits are class attributes so that a deployment (or a test) can subclass with
    others; uvicorn builds one instance per connection.
    """

    header_timeout = HEADER_TIMEOUT_SECONDS
    body_timeout = BODY_TIMEOUT_SECONDS
    max_header_bytes = MAX_HEADER_BYTES
    max_headers = MAX_HEADERS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._reading_headers = True
        # two lower bounds on the current request's head size, so that no byte counts twice:
        # the completed pieces the parser called back with, and the raw bytes of the reads
        # that carried the head (an unfinished header is buffered out of the callbacks' sight)
        self._head_pieces = 0
        self._head_raw = 0
        self._header_count = 0
        self._refusal: Problem | None = None
        self._began_in_read = False
        self._ended_in_read = False
        self._earlier_in_read = 0

    # -- deadlines ----------------------------------------------------------------------

    def _arm(self, seconds: float, stage: str) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._time_out, stage)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _time_out(self, stage: str) -> None:
        self._deadline = None
        if self.transport is None or self.transport.is_closing():
            return
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            if stage == "headers":
                return  # a pipelined request waits for the one being answered: no deadline
            # the app waits in receive(): it gets http.disconnect and answers nothing
            cycle.disconnected = True
            cycle.message_event.set()
        elif stage == "body":
            self.transport.close()  # answered already (e.g. 413): the rest is not awaited
            return
        seconds = self.header_timeout if stage == "headers" else self.body_timeout
        log.warning("closing a connection whose %s took over %.0f s", stage, seconds)
        self._refuse_now(
            Problem(
                408,
                "Request timeout",
                f"The request {stage} did not arrive within {seconds:.0f} seconds.",
            )
        )

    # -- connection and parser callbacks ------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(self.header_timeout, "headers")

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.transport.is_closing():
            return  # refused already: what follows must not produce a second answer
        self._unset_keepalive_if_required()
        # what this read carried for earlier requests (a body, headers), not to be counted
        # against the headers of a request that begins within it
        self._began_in_read = False
        self._ended_in_read = False
        self._earlier_in_read = 0
        if self._reading_headers and self._deadline is None:
            self._arm(self.header_timeout, "headers")  # a keep-alive connection's next request
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
            return
        except httptools.HttpParserInvalidMethodError:
            self._refuse_now(
                Problem(501, "Not implemented", "The request method is not one this server knows.")
            )
            return
        except httptools.HttpParserError:
            self._refuse_now(
                self._refusal or Problem(400, "Bad request", "The request is not valid HTTP/1.1.")
            )
            return
        if self._reading_headers:
            # count the raw bytes of this read that belong to the current request's head
            if self._began_in_read:
                self._head_raw = len(data) - self._earlier_in_read
            elif not self._ended_in_read:  # (after a request ended here no new one began)
                self._head_raw += len(data)
            if self._head_size() > self.max_header_bytes:
                self._refuse_now(self._headers_too_large())

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._reading_headers = True
        self._began_in_read = True
        self._head_pieces = 0
        self._head_raw = 0
        self._header_count = 0

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_count += 1
        self._count(len(name) + len(value) + 4)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._reading_headers = False
        self._earlier_in_read += self._head_pieces
        self._disarm()
        super().on_headers_complete()
        if self.cycle is not None and not self.parser.should_upgrade():
            self._arm(self.body_timeout, "body")

    def on_body(self, body: bytes) -> None:
        self._earlier_in_read += len(body)
        super().on_body(body)

    def on_message_complete(self) -> None:
        # What arrives next is the next request's head, not this one's body: only now. (Once
        # this waited for the response, so a body still arriving after an early answer such as
        # 413 was counted as header bytes (431) and armed the header deadline (408), each
        # written unasked onto a connection the client had pooled for its next request.)
        self._reading_headers = True
        self._began_in_read = False
        self._ended_in_read = True
        self._head_pieces = 0
        self._head_raw = 0
        self._disarm()
        super().on_message_complete()

    def _head_size(self) -> int:
        return max(self._head_pieces, self._head_raw)

    def _count(self, size: int) -> None:
        # the callbacks see completed pieces: a request sent in one packet is counted here
        self._head_pieces += size
        if self._head_size() > self.max_header_bytes or self._header_count > self.max_headers:
            self._refusal = self._headers_too_large()
            raise _Refused

    def _headers_too_large(self) -> Problem:
        return Problem(
            431,
            "Request header fields too large",
            f"Send at most {self.max_headers} header fields and {self.max_header_bytes} bytes "
            "of request line and headers.",
        )

    # -- refusals -----------------------------------------------------------------------

    def send_400_response(self, msg: str) -> None:
        """uvicorn's own refusals, as problem+json."""
        self._refuse_now(Problem(400, "Bad request", "The request is not valid HTTP/1.1."))

    def _refuse_now(self, problem: Problem) -> None:
        """Answer ``problem`` on the connection and close it (the request is unreadable,
        so the connection cannot be reused)."""
        self._disarm()
        request_id = os.urandom(16).hex()
        body = orjson.dumps(problem.body(instance="/", request_id=request_id))
        head = [
            STATUS_LINE[problem.status],
            b"content-type: application/problem+json\r\n",
            b"content-length: %d\r\n" % len(body),
            b"x-request-id: " + request_id.encode() + b"\r\n",
            SECURITY_HEADERS,
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)
        self.transport.close()
