"""Event bodies checked against the AsyncAPI document, the one place their schemas live.

A consumer runs every message through :func:`validate_envelope` before applying it (SEC-013,
OWASP API10:2023: data from another service is input like any other). Nothing here restates
a schema: ``refarch.event_contract`` compiles them from ``specs/asyncapi/v1.yaml``.
"""

from __future__ import annotations

from typing import Any

from refarch.event_contract import event_contract
from refarch.reference_impl.events import MalformedEvent

__all__ = ["validate_envelope"]

#: Problems named in one MalformedEvent; a body broken everywhere needs no longer message.
_MAX_PROBLEMS = 5


def validate_envelope(body: Any, *, subject: str | None = None, prefix: str = "refarch") -> None:
    """Raise MalformedEvent naming how ``body`` breaks its type's schema.

    A type the document does not declare is malformed too: the stream carries the
    contract's events only, and an operator should see anything else (dead letters).
    ``subject``, when given, must be ``<prefix>.<type>``.
    """
    if not isinstance(body, dict):
        raise MalformedEvent(subject or "?", "the body is not a JSON object")
    name = body.get("type")
    kind = event_contract().get(name) if isinstance(name, str) else None
    if kind is None:
        raise MalformedEvent(str(name), "type is not an event of the AsyncAPI document")
    if subject is not None and subject != kind.subject(prefix):
        raise MalformedEvent(kind.type, f"arrived on {subject}, expected {kind.subject(prefix)}")
    problems = kind.schema_errors(body)
    if problems:
        raise MalformedEvent(kind.type, "; ".join(problems[:_MAX_PROBLEMS]))
