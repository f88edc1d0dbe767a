"""Faults at the protocol edge: an implementation that is lenient where it must refuse
(duplicate keys, deep nesting, repeated parameters, loose media types, HEAD, odd methods)."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qsl

from tests.conformance.faults.asgi import Exchange, Fault, HttpRequest, HttpResponse

__all__ = ["INPUT_FAULTS"]


class _LastKeyWins(Exception):
    pass


def _has_duplicate_keys(raw: bytes) -> bool:
    def check(pairs: list[tuple[str, object]]) -> dict[str, object]:
        keys = [key for key, _ in pairs]
        if len(set(keys)) != len(keys):
            raise _LastKeyWins
        return dict(pairs)

    try:
        json.loads(raw, object_pairs_hook=check)
    except _LastKeyWins:
        return True
    except ValueError:
        return False
    return False


class AcceptsDuplicateKeys(Fault):
    """Decodes like most JSON libraries do: the last of duplicate members silently wins."""

    name, requirement, select = "accepts-duplicate-json-keys", "API-016", ("API-016",)

    async def before(self, request: HttpRequest, exchange: Exchange) -> None:
        if _has_duplicate_keys(request.body):
            request.set_json(json.loads(request.body))


def _nesting(raw: bytes) -> int:
    """Deepest bracket nesting, ignoring brackets inside strings (good enough for a fault)."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        char = chr(byte)
        if in_string:
            escaped, in_string = (False, True) if escaped else (char == "\\", char != '"')
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


class CrashesOnDeepJson(Fault):
    """Validates recursively: past ~250 levels the stack runs out and the answer is a 500."""

    name, requirement, select = "500-on-deeply-nested-json", "API-017", ("API-017",)

    async def handle(self, request: HttpRequest, exchange: Exchange) -> HttpResponse:
        if _nesting(request.body) > 250:
            return HttpResponse(500, {"content-type": "text/plain"}, b"Internal Server Error")
        return await exchange.call(request)


class BlocksTheLoopOnLargeBodies(Fault):
    """Does CPU-bound work on the event loop for every large body: everyone else waits."""

    name, requirement, select = "blocks-event-loop-on-large-bodies", "API-018", ("API-018",)

    async def before(self, request: HttpRequest, exchange: Exchange) -> None:
        if len(request.body) > 256 * 1024:
            time.sleep(0.6)  # deliberately blocking: this is the fault


class AcceptsAnyJsonMediaType(Fault):
    """Treats every ``+json`` (or ``json``-looking) media type as application/json."""

    name, requirement, select = "accepts-any-json-media-type", "API-019", ("API-019",)

    async def before(self, request: HttpRequest, exchange: Exchange) -> None:
        if "json" in request.headers.get("content-type", ""):
            request.headers["content-type"] = "application/json"


class FirstRepeatedParameterWins(Fault):
    """Reads a query parameter sent twice as its first value and ignores the rest."""

    name, requirement, select = "first-repeated-parameter-wins", "API-020", ("API-020",)

    async def before(self, request: HttpRequest, exchange: Exchange) -> None:
        first: dict[str, str] = {}
        raw = request.scope.get("query_string", b"").decode("latin-1")
        for name, value in parse_qsl(raw, keep_blank_values=True):
            first.setdefault(name, value)
        request.query = first


class RefusesHead(Fault):
    """Routes by method only: HEAD finds no route and answers 405."""

    name, requirement, select = "head-answers-405", "API-021", ("API-021",)

    async def handle(self, request: HttpRequest, exchange: Exchange) -> HttpResponse:
        if request.method == "HEAD":
            return HttpResponse(405, {"content-type": "application/problem+json"}, b"")
        return await exchange.call(request)


INPUT_FAULTS: list[Fault] = [
    AcceptsDuplicateKeys(),
    CrashesOnDeepJson(),
    BlocksTheLoopOnLargeBodies(),
    AcceptsAnyJsonMediaType(),
    FirstRepeatedParameterWins(),
    RefusesHead(),
]
