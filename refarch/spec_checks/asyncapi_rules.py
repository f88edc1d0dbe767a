"""Project rules for the event contract (ASY002-ASY008), beyond what AsyncAPI itself demands.

The event documents are read as the OpenAPI ones are (``SourceCache``), so each finding
points at the line to fix. Payload schemas are AsyncAPI schemas, a superset of JSON Schema
draft 7; an example is validated in place (``{"$ref": "<file uri>#<pointer>"}``) so its
``$ref``s into ``openapi/`` resolve against the file they are written in.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from jsonschema import Draft7Validator
from jsonschema.exceptions import best_match
from referencing import Registry, Resource
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT7

from refarch.spec_checks.emitted_events import find_emitted_events
from refarch.spec_checks.findings import Finding
from refarch.spec_checks.layout import SpecLayout
from refarch.spec_checks.openapi_model import finding_at, iter_operations, mapping
from refarch.spec_checks.requirements_rules import resolved_catalog
from refarch.spec_checks.yaml_source import Pointer, Ref, SourceCache, YamlSource, YamlSourceError

__all__ = ["RULES", "check_asyncapi_rules"]

RULES: dict[str, str] = {
    "ASY002": "every message has at least one example",
    "ASY003": "every message example validates against the message's payload schema",
    "ASY004": "every message has exactly one producer: a send operation naming its x-service",
    "ASY005": "every message names existing requirement ids in x-requirements, one an EVT- id",
    "ASY006": "every event type the implementation can publish is declared",
    "ASY007": "a channel's address is <prefix>.<message name> and the payload's type matches",
    "ASY008": "every operationId in x-caused-by exists in a service document",
}

#: The subject prefix channel addresses are written with (a deployment setting's default).
PREFIX = "refarch"
_MAX_MESSAGE = 200


def _pointer_text(pointer: Pointer) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in pointer)


class _Messages:
    """The messages of one AsyncAPI document, each with where it is written."""

    def __init__(self, source: YamlSource, cache: SourceCache) -> None:
        self.source, self.cache = source, cache
        self.registry: Registry[Any] = Registry(retrieve=self._retrieve)  # type: ignore[call-arg]

    def _retrieve(self, uri: str) -> Resource[Any]:
        parts = urlsplit(uri)
        if parts.scheme != "file":
            raise Unresolvable(uri)
        try:
            data = self.cache.load(Path(unquote(parts.path))).data
        except YamlSourceError as exc:
            raise Unresolvable(uri) from exc
        return Resource.from_contents(data, default_specification=DRAFT7)

    def channels(self) -> Iterator[tuple[str, Ref, list[tuple[str, Ref]]]]:
        """(channel key, channel, [(message key, resolved message)])."""
        for key in mapping(self.source.data.get("channels")):
            channel = Ref(self.source, ("channels", key))
            messages = []
            for name in mapping(mapping(channel.value).get("messages")):
                try:
                    message = self.cache.resolve(self.source, (*channel.pointer, "messages", name))
                except LookupError:
                    continue  # ASY001 (the parser) reports a reference that leads nowhere
                messages.append((str(name), message))
            yield str(key), channel, messages

    def validate(self, message: Ref, payload: Ref, label: str) -> Iterator[Finding]:
        schema = f"{message.source.path.as_uri()}#{_pointer_text((*message.pointer, 'payload'))}"
        validator = Draft7Validator(
            {"$ref": schema}, registry=self.registry, format_checker=Draft7Validator.FORMAT_CHECKER
        )
        try:
            error = best_match(validator.iter_errors(payload.value))
        except (Unresolvable, AttributeError, TypeError, KeyError):
            return  # a broken schema or $ref: ASY001 reports it
        if error is None:
            return
        where = _pointer_text(tuple(error.absolute_path)) or "/"
        text = " ".join(error.message.split())
        text = text if len(text) <= _MAX_MESSAGE else text[:_MAX_MESSAGE] + "…"
        yield finding_at(
            Ref(payload.source, (*payload.pointer, *error.absolute_path)),
            "ASY003",
            f"{label} does not match the payload schema at {where}: {text}",
            "fix the example (or the schema, if the example shows the intended contract)",
        )


def _known_operation_ids(layout: SpecLayout, cache: SourceCache) -> set[str]:
    found = set()
    for service, path in layout.service_documents().items():
        try:
            source = cache.load(path)
        except YamlSourceError:
            continue  # the OpenAPI phase reports it
        found |= {op.operation_id for op in iter_operations(service, source) if op.operation_id}
    return found


def _catalog_ids(layout: SpecLayout, cache: SourceCache) -> set[str]:
    """The ids of the effective catalog (a v2 that extends v1 holds v1's ids too)."""
    if not layout.requirements_path.is_file():
        return set()  # REQ001 reports it
    try:
        entries, _ = resolved_catalog(layout, cache)  # REQ0xx reports the findings
    except OSError:
        return set()  # REQ001 reports it
    return {placed.id for placed in entries or [] if placed.id}


def _example_rules(messages: _Messages, name: str, message: Ref) -> Iterator[Finding]:
    examples = mapping(message.value).get("examples")
    if not isinstance(examples, list) or not examples:
        yield finding_at(
            message,
            "ASY002",
            f"message {name} has no examples",
            "add `examples: [{name, summary, payload}]`: the docs show them and readers copy them",
        )
        return
    for index, example in enumerate(examples):
        label = f"message {name} example {mapping(example).get('name', index)}"
        if "payload" in mapping(example):
            payload = Ref(message.source, (*message.pointer, "examples", index, "payload"))
            yield from messages.validate(message, payload, label)


def _address_rules(channel: Ref, name: str, message: Ref) -> Iterator[Finding]:
    expected = f"{PREFIX}.{name}"
    address = mapping(channel.value).get("address")
    if address != expected:
        yield finding_at(
            Ref(channel.source, (*channel.pointer, "address")),
            "ASY007",
            f"channel address {address!r} does not carry message {name}: expected {expected!r}",
            "one channel per event type, addressed <prefix>.<type> with the default prefix",
        )
    members = mapping(message.value).get("payload")
    for index, member in enumerate(mapping(members).get("allOf") or []):
        declared = mapping(mapping(mapping(member).get("properties")).get("type")).get("const")
        if declared is not None and declared != name:
            yield finding_at(
                Ref(message.source, (*message.pointer, "payload", "allOf", index)),
                "ASY007",
                f"message {name} declares its payload type as {declared!r}",
                "the envelope's type must equal the message name",
            )


def _requirement_rules(name: str, message: Ref, catalog: set[str]) -> Iterator[Finding]:
    tagged = mapping(message.value).get("x-requirements")
    where = Ref(message.source, (*message.pointer, "x-requirements"))
    if not isinstance(tagged, list) or not any(str(t).startswith("EVT-") for t in tagged):
        yield finding_at(
            where if isinstance(tagged, list) else message,
            "ASY005",
            f"message {name} names no EVT- requirement in x-requirements",
            "add `x-requirements: [EVT-001, …]`: the ids whose promise this event carries",
        )
    for index, rid in enumerate(tagged if isinstance(tagged, list) else []):
        if str(rid) not in catalog:
            yield finding_at(
                Ref(message.source, (*where.pointer, index)),
                "ASY005",
                f"message {name} names {rid}, which is not in the requirements catalog",
                "add the requirement to requirements/<version>.yaml or fix the id",
            )


def _operation_rules(
    source: YamlSource, known_ops: set[str]
) -> tuple[dict[str, list[str]], list[Finding]]:
    """Producers per channel key, and ASY008 findings for unknown causing operations."""
    producers: dict[str, list[str]] = {}
    findings = []
    for key, operation in mapping(source.data.get("operations")).items():
        operation = mapping(operation)
        target = str(mapping(operation.get("channel")).get("$ref", "")).rsplit("/", 1)[-1]
        if operation.get("action") == "send" and operation.get("x-service"):
            producers.setdefault(target, []).append(str(operation["x-service"]))
        causes = operation.get("x-caused-by")
        for index, operation_id in enumerate(causes if isinstance(causes, list) else []):
            if known_ops and str(operation_id) not in known_ops:
                findings.append(
                    finding_at(
                        Ref(source, ("operations", key, "x-caused-by", index)),
                        "ASY008",
                        f"operation {key}: x-caused-by names unknown operationId {operation_id!r}",
                        "name an operationId of a service document under openapi/",
                    )
                )
    return producers, findings


def check_asyncapi_rules(
    document: Path, layout: SpecLayout, cache: SourceCache, implementation: Path | None
) -> list[Finding]:
    try:
        source = cache.load(document)
    except YamlSourceError as exc:
        return [Finding(exc.path, exc.line, exc.col, "ASY001", exc.message, "fix the YAML")]
    messages = _Messages(source, cache)
    catalog = _catalog_ids(layout, cache)
    channels = list(messages.channels())
    producers, findings = _operation_rules(source, _known_operation_ids(layout, cache))
    declared: set[str] = set()
    for key, channel, channel_messages in channels:
        for _, message in channel_messages:
            name = str(mapping(message.value).get("name", ""))
            declared.add(name)
            findings.extend(_example_rules(messages, name, message))
            findings.extend(_address_rules(channel, name, message))
            findings.extend(_requirement_rules(name, message, catalog))
            sending = producers.get(key, [])
            if len(sending) != 1:
                findings.append(
                    finding_at(
                        channel,
                        "ASY004",
                        f"message {name} has {len(sending)} producers ({', '.join(sending)})"
                        if sending
                        else f"message {name} has no producer",
                        "declare one `action: send` operation on this channel with x-service",
                    )
                )
    if implementation is not None:
        for emitted in find_emitted_events(implementation):
            if emitted.type not in declared:
                findings.append(
                    Finding(
                        emitted.path,
                        emitted.line,
                        emitted.col,
                        "ASY006",
                        f"the implementation can publish {emitted.type}, "
                        f"which {document.name} does not declare",
                        f"add a channel {PREFIX}.{emitted.type} with its message to the "
                        "AsyncAPI document (or stop publishing it)",
                    )
                )
    return findings
