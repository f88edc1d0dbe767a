"""Decoding a JSON request body, refusing documents that are well formed but hostile.

Three bounds hold before a schema validator sees a document, each answered with 400:

* at most ``MAX_VALUES`` JSON values (the largest v1 body, an order of 50 lines, holds
  about 160). Counting costs about a millisecond per MiB: ``bytes.count`` of ``,``, ``[``
  and ``{`` bounds the count from above (every value but the first follows a comma or
  opens a container); only a body over the bound whose strings may hold those characters
  is decoded and counted again with its strings taken out. A 1 MiB body of 250,000 empty
  objects once held the event loop for 7.6 s in validation while every other client
  waited; now it is refused before it is decoded.
* at most ``MAX_DEPTH`` levels of nesting. The validator recurses per level and failed
  with a ``RecursionError`` (a 500) somewhere past 250 levels; no v1 schema nests deeper
  than 4.
* no object naming a member twice (below).

orjson decodes (fast, and strict: no NaN, no lone surrogates), but it keeps the last of
duplicate object keys silently: ``{"quantity": 1, "quantity": 100}`` would order 100 units
while a proxy or log that keeps the first sees 1. Such a body is refused with 400 naming
the key (RFC 8259 says names SHOULD be unique; we make it MUST).
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

from refarch.reference_impl.platform.problems import HttpProblem

__all__ = ["MAX_DEPTH", "MAX_VALUES", "decode_json"]

MAX_VALUES = 1_000
MAX_DEPTH = 32
#: over this many separators and brackets even a body made of maximal strings is too large
_ROUGH_LIMIT = 20 * MAX_VALUES
# a JSON string, unrolled so that it runs in linear time; used only on valid JSON, where
# every string is closed
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')


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


def _too_many_values() -> HttpProblem:
    return _bad_request(
        f"The request body holds more than {MAX_VALUES} JSON values (or more than "
        f"{_ROUGH_LIMIT} ',', '[' and '{{' characters in all); no operation takes a "
        "document that large."
    )


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


def _structure(raw: bytes) -> tuple[int, int]:
    """(an upper bound on the number of values, the number of containers) of ``raw``."""
    containers = raw.count(b"[") + raw.count(b"{")
    return raw.count(b",") + containers + 1, containers


def decode_json(raw: bytes) -> Any:
    """The decoded document, or 400 problem+json saying what is wrong with it."""
    values, containers = _structure(raw)
    if values > _ROUGH_LIMIT:
        raise _too_many_values()
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        if exc.msg.startswith("depth limit"):
            raise _too_deep() from None
        raise _bad_request("The request body is not valid JSON.") from None
    if values > MAX_VALUES:  # maybe commas and brackets inside strings: count outside them
        values, containers = _structure(_STRING.sub(b'""', raw))
        if values > MAX_VALUES:
            raise _too_many_values()
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
