"""Decoding a JSON request body, refusing documents that are well formed but hostile.

Three bounds hold before a schema validator sees a document, each answered with 400:

* at most ``MAX_VALUES`` values. The count is bounded from above with ``bytes.count`` on
  the raw body (every value but the first follows a ``,`` or opens a container), so a 1 MiB
  body of 250,000 empty objects is refused in about a millisecond instead of occupying the
  event loop for seconds in decoding and validation while every other client waits. The
  largest body any v1 operation accepts counts under 15,000 even with every string full
  of commas.
* at most ``MAX_DEPTH`` levels of nesting. The validator recurses per level and fails with
  a ``RecursionError`` (a 500) somewhere past 250 levels; no v1 schema nests deeper than 5.
* no object naming a member twice (below).

orjson decodes (fast, and strict: no NaN, no lone surrogates), but it keeps the last of
duplicate object keys silently: ``{"quantity": 1, "quantity": 100}`` would order 100 units
while a proxy or log that keeps the first sees 1. Such a body is refused with 400 naming
the key (RFC 8259 says names SHOULD be unique; we make it MUST).
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from reference_impl.platform.problems import HttpProblem

__all__ = ["MAX_DEPTH", "MAX_VALUES", "decode_json"]

MAX_VALUES = 20_000
MAX_DEPTH = 32


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> None:
    """``object_pairs_hook`` that only checks: the value built is orjson's, not this one."""
    if len(pairs) > 1:
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)


def _bad_request(detail: str) -> HttpProblem:
    return HttpProblem(400, "Bad request", detail)


def _too_deep() -> HttpProblem:
    return _bad_request(
        f"The request body is nested more than {MAX_DEPTH} levels deep; "
        "no operation takes a document that deep."
    )


def _depth_exceeds(document: Any, limit: int) -> bool:
    """Whether ``document`` nests deeper than ``limit``; iterative, so any depth is safe."""
    pending: list[tuple[Any, int]] = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > limit:
            return True
        if isinstance(value, dict):
            pending.extend((member, depth + 1) for member in value.values())
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)
    return False


def decode_json(raw: bytes) -> Any:
    """The decoded document, or 400 problem+json saying what is wrong with it."""
    containers = raw.count(b"[") + raw.count(b"{")
    if raw.count(b",") + containers + 1 > MAX_VALUES:
        raise _bad_request(
            f"The request body holds more than {MAX_VALUES} JSON values (counted as its "
            "',', '[' and '{' characters); no operation takes a document that large."
        )
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        if exc.msg.startswith("depth limit"):
            raise _too_deep() from None
        raise _bad_request("The request body is not valid JSON.") from None
    # a document with fewer containers than the limit cannot nest deeper than it
    if containers > MAX_DEPTH and _depth_exceeds(document, MAX_DEPTH):
        raise _too_deep()
    if b":" in raw:  # only a document with an object member can repeat a key
        try:
            json.loads(raw, object_pairs_hook=_refuse_duplicates)
        except _DuplicateKey as exc:
            shown = exc.key if len(exc.key) <= 64 else exc.key[:64] + "…"
            raise _bad_request(
                f"The request body names the member {shown!r} more than once in one object; "
                "send each member once."
            ) from None
    return document
