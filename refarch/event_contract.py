"""The domain events as the AsyncAPI document declares them (``specs/asyncapi/<version>.yaml``).

The one reader of the event contract: the spec checks judge it, the docs render it, the
conformance suite validates what a broker carries against it, and the reference
implementation takes its event schemas from it, so no part restates a payload in code.

A channel's address is ``refarch.<type>``; ``refarch`` is the documented default of a
deployment setting, so :meth:`EventType.subject` swaps in another prefix.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator

from refarch.specs import load_asyncapi

__all__ = [
    "DEFAULT_PREFIX",
    "EventContract",
    "EventType",
    "event_contract",
    "load_event_contract",
]

#: The subject prefix the channel addresses are written with.
DEFAULT_PREFIX = "refarch"


def _ref_name(ref: Any) -> str:
    """The last part of a ``$ref`` such as ``#/channels/orderPlaced``."""
    return str(ref).rsplit("/", 1)[-1] if isinstance(ref, str) else ""


@dataclass(frozen=True)
class EventType:
    """One message of the contract: ``order.placed`` and everything said about it."""

    type: str  # the message name, also the subject without the prefix
    channel: str  # the channel key, e.g. ``orderPlaced``
    address: str  # the channel address with the default prefix
    title: str
    summary: str
    description: str
    producer: str  # the service of the one ``send`` operation ("" when none declares it)
    consumers: tuple[str, ...]  # services with a ``receive`` operation
    caused_by: tuple[str, ...]  # operationIds whose success publishes this event
    requirements: tuple[str, ...]
    payload: Mapping[str, Any]  # the resolved JSON Schema (draft 7) of the whole body
    examples: tuple[Mapping[str, Any], ...]  # AsyncAPI example objects (name, payload, …)
    _validator: Draft7Validator = field(repr=False, compare=False, hash=False)

    def subject(self, prefix: str = DEFAULT_PREFIX) -> str:
        return f"{prefix}.{self.type}"

    @property
    def aggregate_type(self) -> str:
        return self.type.split(".", 1)[0]

    def schema_errors(self, body: Any) -> list[str]:
        """Each way ``body`` breaks this message's schema, as ``/json/pointer: message``."""
        problems = []
        for error in sorted(self._validator.iter_errors(body), key=lambda e: list(e.path)):
            where = "/" + "/".join(str(part) for part in error.absolute_path)
            problems.append(f"{where}: {error.message}")
        return problems


@dataclass(frozen=True)
class EventContract:
    version: str
    document: Mapping[str, Any]  # resolved: every $ref inlined
    events: tuple[EventType, ...]

    def __iter__(self) -> Iterator[EventType]:
        return iter(self.events)

    def get(self, event_type: str) -> EventType | None:
        return next((e for e in self.events if e.type == event_type), None)

    def __getitem__(self, event_type: str) -> EventType:
        found = self.get(event_type)
        if found is None:
            raise KeyError(f"event type {event_type!r} is not in the AsyncAPI document")
        return found

    @property
    def types(self) -> tuple[str, ...]:
        return tuple(e.type for e in self.events)

    @classmethod
    def from_document(
        cls, raw: Mapping[str, Any], resolved: Mapping[str, Any], version: str
    ) -> EventContract:
        """Build from the raw document (to follow ``$ref`` names) and its resolved twin."""
        operations = raw.get("operations") or {}
        sends: dict[str, str] = {}
        receives: dict[str, list[str]] = {}
        causes: dict[str, list[str]] = {}
        for operation in operations.values():
            channel = _ref_name((operation.get("channel") or {}).get("$ref"))
            service = str(operation.get("x-service", ""))
            if operation.get("action") == "send":
                sends[channel] = service
                causes.setdefault(channel, []).extend(operation.get("x-caused-by") or [])
            elif operation.get("action") == "receive":
                receives.setdefault(channel, []).append(service)
        events = []
        for key, channel in (resolved.get("channels") or {}).items():
            for message in (channel.get("messages") or {}).values():
                payload = message.get("payload") or {}
                events.append(
                    EventType(
                        type=str(message.get("name", "")),
                        channel=key,
                        address=str(channel.get("address", "")),
                        title=str(message.get("title", "")),
                        summary=" ".join(str(message.get("summary", "")).split()),
                        description=str(channel.get("description", "")).strip(),
                        producer=sends.get(key, ""),
                        consumers=tuple(sorted(set(receives.get(key, [])))),
                        caused_by=tuple(causes.get(key, [])),
                        requirements=tuple(message.get("x-requirements") or ()),
                        payload=payload,
                        examples=tuple(message.get("examples") or ()),
                        _validator=Draft7Validator(
                            payload, format_checker=Draft7Validator.FORMAT_CHECKER
                        ),
                    )
                )
        return cls(version, resolved, tuple(events))


def load_event_contract(version: str = "v1", root: Path | None = None) -> EventContract:
    """The event contract of ``version``, read from its file now (the docs rebuild on edits)."""
    raw, resolved = load_asyncapi(version, root=root)
    return EventContract.from_document(raw, resolved, version)


@functools.cache
def event_contract(version: str = "v1", root: Path | None = None) -> EventContract:
    """The event contract of ``version``, read once and shared: treat it as read-only."""
    return load_event_contract(version, root)
