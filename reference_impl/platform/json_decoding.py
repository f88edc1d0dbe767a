"""Decoding a JSON request body, refusing documents that are well formed but hostile.

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

__all__ = ["decode_json"]


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


def decode_json(raw: bytes) -> Any:
    """The decoded document, or 400 problem+json saying what is wrong with it."""
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise _bad_request("The request body is not valid JSON.") from None
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
