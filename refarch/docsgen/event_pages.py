"""The event reference: an index of every domain event and one page per event, generated
from the AsyncAPI document (through ``refarch.event_contract``), so it cannot drift.

Pages live in ``reference/<version>/events/``: ``index.md`` (the subjects, the envelope and
the delivery promise) and ``<type>.md`` (channel, producer, consumers, causing operations,
requirement ids, the fields of the body, its JSON Schema and the examples).
"""

from __future__ import annotations

from typing import Any

from refarch.docsgen.markdown import (
    GENERATED_NOTICE,
    code,
    collapsed,
    field_name,
    json_block,
    table,
)
from refarch.docsgen.schema_fields import fields
from refarch.event_contract import EventContract, EventType

__all__ = ["event_page_name", "render_event_index", "render_event_page"]

#: Where the pages of one event type go, relative to ``reference/<version>/``.
EVENTS_DIR = "events"


def event_page_name(event_type: str) -> str:
    """``order.placed`` -> ``order.placed.md`` (the type is already a safe file name)."""
    return f"{event_type}.md"


def _operation_links(operation_ids: tuple[str, ...], service_of: dict[str, str]) -> str:
    links = []
    for operation_id in operation_ids:
        service = service_of.get(operation_id)
        target = f"../api/{service}.md#{operation_id}" if service else ""
        links.append(f"[{code(operation_id)}]({target})" if target else code(operation_id))
    return ", ".join(links) or "none (published by a background job)"


def _requirement_links(requirement_ids: tuple[str, ...]) -> str:
    return ", ".join(f"[{rid}](../requirements.md#{rid})" for rid in requirement_ids) or "none"


def _field_table(schema: dict[str, Any]) -> str:
    rows = fields(schema)
    return table(
        ["Field", "Type", "Required", "Limits", "Description"],
        [
            [
                field_name(r.path),
                r.type,
                "yes" if r.required else "no",
                r.constraints,
                r.description,
            ]
            for r in rows
        ],
    )


def render_event_page(event: EventType, service_of: dict[str, str]) -> str:
    facts = table(
        ["Fact", "Value"],
        [
            ["Subject", f"{code(event.address)} (prefix `refarch` is the default)"],
            ["Producer", f"the {event.producer} service" if event.producer else "none declared"],
            [
                "Consumers",
                ", ".join(f"the {c} service" for c in event.consumers) or "none in refarch yet",
            ],
            ["Caused by", _operation_links(event.caused_by, service_of)],
            ["Requirements", _requirement_links(event.requirements)],
            ["Content type", code("application/json")],
            ["NATS header", f"{code('Nats-Msg-Id')} = the event {code('id')}"],
        ],
    )
    sections = [
        GENERATED_NOTICE,
        f"# {event.type}",
        f"**{event.title}.** {event.summary}",
        event.description,
        facts,
        "## Body",
        "The envelope every event carries, with this type's payload in `data`. Consumers "
        "ignore fields they do not know.",
        _field_table(dict(event.payload)),
        collapsed("JSON Schema (draft 7, every $ref inlined)", json_block(event.payload)),
        "## Examples",
    ]
    for example in event.examples:
        caption = str(example.get("summary") or example.get("name") or "Example")
        sections.append(
            collapsed(f"Example: {caption}", json_block(example.get("payload")), open_=True)
        )
    return "\n\n".join(s for s in sections if s) + "\n"


def render_event_index(contract: EventContract, service_of: dict[str, str]) -> str:
    info = contract.document.get("info") or {}
    rows = [
        [
            f"[{code(e.type)}]({event_page_name(e.type)})",
            code(e.address),
            e.producer,
            ", ".join(e.consumers) or "—",
            _operation_links(e.caused_by, service_of),
        ]
        for e in contract
    ]
    envelope = (contract.document.get("components") or {}).get("schemas", {}).get("Envelope", {})
    return (
        "\n\n".join(
            [
                GENERATED_NOTICE,
                f"# Events {contract.version}",
                "Every domain event the platform publishes, generated from "
                f"`specs/asyncapi/{contract.version}.yaml` on every docs build. "
                "The [event flow diagram](../../../architecture/containers.md#how-events-flow) draws the "
                "same document.",
                table(["Event", "Subject", "Producer", "Consumers", "Caused by"], rows),
                "## What every event carries",
                _field_table(dict(envelope)),
                "## The contract",
                # the document's own description: subjects, envelope and delivery promise
                str(info.get("description", "")).strip().replace("\n## ", "\n### "),
            ]
        )
        + "\n"
    )
