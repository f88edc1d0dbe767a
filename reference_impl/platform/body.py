"""Reading a JSON request body with the size limit enforced while it streams in.

Starlette and FastAPI read any body whole (a 200 MB POST grew such a server from 51 MB
to 666 MB; ADR 0007). Here a declared ``Content-Length`` over the limit is refused before a
byte is read, and a chunked body is refused as soon as ``limit + 1`` bytes have arrived,
so memory per request is bounded by the limit whatever the client sends.
"""

from __future__ import annotations

from typing import Any

from refarch.reference_impl.platform.json_decoding import decode_json
from refarch.reference_impl.platform.problems import HttpProblem

__all__ = ["ClientDisconnected", "media_type_of", "read_body", "read_json_body"]

Receive = Any  # the ASGI receive callable


class ClientDisconnected(Exception):
    """The client went away before its body arrived; there is nobody to answer."""


def media_type_of(content_type: str) -> str:
    """``application/json`` from ``Application/JSON; charset=utf-8``: the type without its
    parameters, lower-cased (media type names are case-insensitive, RFC 9110 8.3.1)."""
    return content_type.split(";", 1)[0].strip().lower()


def _too_large(limit: int) -> HttpProblem:
    return HttpProblem(
        413,
        "Content too large",
        f"The request body exceeds the limit of {limit} bytes.",
        limit_bytes=limit,
    )


async def read_body(receive: Receive, *, limit: int, content_length: str | None) -> bytes:
    """The raw body, or 413 as soon as it is known to be longer than ``limit``."""
    if content_length is not None:
        if not content_length.isdigit():
            raise HttpProblem(400, "Bad request", "The Content-Length header is not a number.")
        if int(content_length) > limit:
            raise _too_large(limit)
    chunks: list[bytes] = []
    received = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnected
        chunk = message.get("body", b"")
        if chunk:
            received += len(chunk)
            if received > limit:
                raise _too_large(limit)
            chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


async def read_json_body(receive: Receive, *, limit: int, content_length: str | None) -> Any:
    """The decoded JSON body; ``...`` (Ellipsis) when the request carried no body at all."""
    raw = await read_body(receive, limit=limit, content_length=content_length)
    if not raw:
        return ...
    return decode_json(raw)
