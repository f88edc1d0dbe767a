"""Faults at the protocol edge: an implementation that is lenient where it must refuse
(duplicate keys, deep nesting, repeated parameters, loose media types, HEAD, odd methods)."""

from __future__ import annotations

import json

from tests.conformance.faults.asgi import Exchange, Fault, HttpRequest

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

    name, requirement, select = "accepts-duplicate-json-keys", "API-014", ("API-014",)

    async def before(self, request: HttpRequest, exchange: Exchange) -> None:
        if _has_duplicate_keys(request.body):
            request.set_json(json.loads(request.body))


INPUT_FAULTS: list[Fault] = [AcceptsDuplicateKeys()]
