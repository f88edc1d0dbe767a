"""API reference pages: one Markdown page per service and version, from its OpenAPI document.

Every operation gets a heading whose id is its ``operationId`` (so ``…/users.md#login``
links and search both find it), the full path including the server prefix, who may call
it, the requirement ids bound to it, and its parameters, bodies and errors as tables with
the spec's own examples.
"""

from __future__ import annotations

from typing import Any

from refarch.docsgen.markdown import (
    GENERATED_NOTICE,
    badge,
    code,
    collapsed,
    field_name,
    json_block,
    table,
)
from refarch.docsgen.requirement_index import TracedCatalog
from refarch.docsgen.schema_fields import constraints, describe_type, fields
from refarch.specs import Operation

__all__ = ["access_label", "render_api_index", "render_service_page"]

_SUCCESS_PREFIX = "2"
#: A schema with more fields than this is folded: the page stays scannable.
OPEN_FIELDS = 6


def access_label(operation: Operation) -> tuple[str, str]:
    """(badge text, badge kind) describing who may call the operation."""
    if operation.admin_only:
        return "admin only", "admin"
    if operation.public:
        return "public", "public"
    return "signed-in user", "user"


def _server_prefix(document: dict[str, Any]) -> str:
    servers = document.get("servers") or [{"url": ""}]
    return str(servers[0].get("url", "")).rstrip("/")


def _examples(media: dict[str, Any]) -> list[tuple[str, Any]]:
    """(caption, value) pairs, from ``examples``, ``example`` or the schema's ``example``."""
    if "examples" in media:
        return [
            (str(example.get("summary") or name), example.get("value"))
            for name, example in media["examples"].items()
            if "value" in example
        ]
    if "example" in media:
        return [("Example", media["example"])]
    schema = media.get("schema") or {}
    if "example" in schema:
        return [("Example", schema["example"])]
    return []


def _type_and_limits(type_text: str, required: bool, limits: str) -> str:
    parts = [type_text, "**required**" if required else "optional"]
    return ", ".join(parts) + (f"; {limits}" if limits else "")


def _schema_section(schema: dict[str, Any], what: str) -> list[str]:
    rows = fields(schema)
    if not rows:
        return [
            f"Type: {describe_type(schema)}"
            + (f" ({constraints(schema)})" if constraints(schema) else "")
        ]
    rendered = table(
        ["Field", "Type and limits", "Description"],
        [
            [field_name(r.path), _type_and_limits(r.type, r.required, r.constraints), r.description]
            for r in rows
        ],
    )
    title = f"{what}: {len(rows)} fields"
    return [collapsed(title, rendered, open_=len(rows) <= OPEN_FIELDS)]


def _media_section(content: dict[str, Any], what: str) -> list[str]:
    out: list[str] = []
    for media_type, media in content.items():
        out.append(f"Content type {code(media_type)}.")
        if media.get("schema"):
            out.extend(_schema_section(media["schema"], what))
        for caption, value in _examples(media):
            out.append(collapsed(f"Example: {caption}", json_block(value)))
    return out


def _parameters(operation: Operation, path_item: dict[str, Any]) -> list[str]:
    params = {(p["in"], p["name"]): p for p in path_item.get("parameters", [])}
    params.update({(p["in"], p["name"]): p for p in operation.spec.get("parameters", [])})
    if not params:
        return []
    rows = []
    for param in params.values():
        schema = param.get("schema", {})
        rows.append(
            [
                f"{field_name(param['name'])} ({param['in']})",
                _type_and_limits(
                    describe_type(schema), bool(param.get("required")), constraints(schema)
                ),
                str(param.get("description", "")),
            ]
        )
    return [
        "**Parameters**",
        table(["Name", "Type and limits", "Description"], rows),
    ]


def _request_body(operation: Operation) -> list[str]:
    body = operation.spec.get("requestBody")
    if not body:
        return []
    required = "required" if body.get("required") else "optional"
    out = [f"**Request body** ({required})"]
    if body.get("description"):
        out.append(str(body["description"]))
    out.extend(_media_section(body.get("content", {}), "Request body schema"))
    return out


#: A response (status and meaning) shared by at least this many operations of a service is
#: described once at the top of the page; each operation lists only its status code.
COMMON_RESPONSE_MIN = 3
COMMON_ANCHOR = "common-responses"


def common_responses(ops: list[Operation]) -> dict[tuple[str, str], dict[str, Any]]:
    """(status, description) -> response, for the responses many operations share."""
    seen: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for op in ops:
        for status, response in op.spec.get("responses", {}).items():
            if str(status).startswith(_SUCCESS_PREFIX):
                continue
            key = (str(status), " ".join(str(response.get("description", "")).split()))
            seen.setdefault(key, []).append(response)
    return {key: found[0] for key, found in seen.items() if len(found) >= COMMON_RESPONSE_MIN}


def _response_row(status: object, response: dict[str, Any]) -> list[str]:
    return [
        code(status),
        str(response.get("description", "")),
        ", ".join(code(h) for h in response.get("headers", {})),
    ]


def _responses(
    operation: Operation, common: dict[tuple[str, str], dict[str, Any]] | None = None
) -> list[str]:
    common = common or {}
    responses: dict[str, Any] = operation.spec.get("responses", {})
    own, shared = [], []
    for status, response in responses.items():
        key = (str(status), " ".join(str(response.get("description", "")).split()))
        if key in common:
            shared.append(code(status))
        else:
            own.append(_response_row(status, response))
    out = ["**Responses**", table(["Status", "Meaning", "Headers"], own)]
    if shared:
        out.append(
            f"Also {', '.join(shared)}, as described under [common responses](#{COMMON_ANCHOR})."
        )
    for status, response in responses.items():
        if str(status).startswith(_SUCCESS_PREFIX) and response.get("content"):
            out.append(f"**Response {code(status)} body**")
            out.extend(_media_section(response["content"], f"Response {status} schema"))
    return out


def _links(operation: Operation, service_of: dict[str, str]) -> list[str]:
    """The spec's OpenAPI ``links``: what a client (or a stateful test) can call next."""
    rows = []
    for status, response in operation.spec.get("responses", {}).items():
        for name, link in (response.get("links") or {}).items():
            target = str(link.get("operationId") or link.get("operationRef", ""))
            if target in service_of:
                page = "" if service_of[target] == operation.service else f"{service_of[target]}.md"
                shown = f"[{code(target)}]({page}#{target})"
            else:
                shown = code(target)
            # the link's own name is for tools (Schemathesis follows it); readers need the call
            rows.append([code(status), shown, str(link.get("description", "") or name)])
    if not rows:
        return []
    return ["**Links to next operations**", table(["After", "Call", "Why"], rows)]


def _requirements_line(operation: Operation, catalog: TracedCatalog) -> str:
    bound = catalog.for_operation(operation.operation_id)
    links = ", ".join(f"[{r.id}](../requirements.md#{r.id})" for r in bound) or "none specific"
    return (
        f"**Requirements:** {links}; plus the "
        "[cross-cutting rules](../requirements.md#cross-cutting-rules) that bind every operation."
    )


def _operation_section(
    operation: Operation,
    path_item: dict[str, Any],
    prefix: str,
    catalog: TracedCatalog,
    service_of: dict[str, str],
    common: dict[tuple[str, str], dict[str, Any]] | None = None,
) -> str:
    spec = operation.spec
    label, kind = access_label(operation)
    title = spec.get("summary") or operation.operation_id
    lines = [
        # the operationId leads the heading: search ranks title matches first, and readers
        # of the other pages (and of conformance reports) know operations by this name
        f"### {operation.operation_id} — {title} {{ #{operation.operation_id} }}",
        f"{code(operation.method + ' ' + prefix + operation.path)} · operationId "
        f"{code(operation.operation_id)} · {badge(label, kind)}"
        + (" · " + badge("deprecated", "deprecated") if spec.get("deprecated") else ""),
    ]
    if spec.get("description"):
        lines.append(str(spec["description"]).strip())
    access = {
        "admin": "Only administrators: a customer's token gets `403`.",
        "public": "Public: no token needed.",
        "user": "Any signed-in user with a valid bearer token.",
    }[kind]
    lines.append(f"**Access:** {access}")
    lines.append(_requirements_line(operation, catalog))
    slo = spec.get("x-slo")
    if isinstance(slo, dict):
        lines.append(
            f"**Latency budget (x-slo):** p95 ≤ {slo.get('p95_ms')} ms, p99 ≤ {slo.get('p99_ms')} ms, "
            f"error ratio ≤ {slo.get('max_error_ratio')}."
        )
    # What a client sends, then every answer it can get (errors included); the long
    # schemas and examples behind them are folded.
    lines.extend(_parameters(operation, path_item))
    lines.extend(_request_body(operation))
    lines.extend(_responses(operation, common))
    lines.extend(_links(operation, service_of))
    return "\n\n".join(lines)


def render_service_page(
    service: str,
    document: dict[str, Any],
    ops: list[Operation],
    catalog: TracedCatalog,
    *,
    has_data_page: bool = False,
    service_of: dict[str, str] | None = None,
) -> str:
    """``service_of`` maps every known operationId to its service, for cross-page links."""
    service_of = service_of if service_of is not None else {op.operation_id: service for op in ops}
    info = document.get("info", {})
    prefix = _server_prefix(document)
    version = catalog.version
    sections = [
        GENERATED_NOTICE,
        f"# {info.get('title', service)} ({version})",
        f"Service {code(service)} · spec version {code(info.get('version', '?'))} · base path "
        f"{code(prefix or '/')} · source `specs/openapi/{service}/{version}.yaml`"
        + (f" · [data model](../data/{service}.md)." if has_data_page else "."),
    ]
    if info.get("description"):
        sections.append(str(info["description"]).strip())
    sections.append(
        table(
            ["Operation", "Method and path", "Access"],
            [
                [
                    f"[{op.operation_id}](#{op.operation_id})",
                    code(f"{op.method} {prefix}{op.path}"),
                    access_label(op)[0],
                ]
                for op in ops
            ],
        )
    )
    common = common_responses(ops)
    if common:
        sections.append(f"## Common responses {{ #{COMMON_ANCHOR} }}")
        sections.append(
            "Error answers that many operations of this service share, described once; each "
            "operation below lists its own answers in full and names these by status."
        )
        sections.append(
            table(
                ["Status", "Meaning", "Headers"],
                [
                    _response_row(status, response)
                    for (status, _), response in sorted(common.items())
                ],
            )
        )
    tags = [t["name"] for t in document.get("tags", [])]
    tag_descriptions = {t["name"]: t.get("description", "") for t in document.get("tags", [])}
    for op in ops:
        for tag in op.spec.get("tags", ["other"]):
            if tag not in tags:
                tags.append(tag)
    for tag in tags:
        tagged = [op for op in ops if (op.spec.get("tags") or ["other"])[0] == tag]
        if not tagged:
            continue
        sections.append(f"## {tag}")
        if tag_descriptions.get(tag):
            sections.append(str(tag_descriptions[tag]))
        for op in tagged:
            path_item = document["paths"][op.path]
            sections.append(_operation_section(op, path_item, prefix, catalog, service_of, common))
    return "\n\n".join(sections) + "\n"


def render_api_index(
    version: str,
    services: dict[str, dict[str, Any]],
    ops: list[Operation],
    data_schemas: list[str],
) -> str:
    rows = []
    for service, document in services.items():
        count = sum(1 for op in ops if op.service == service)
        rows.append(
            [
                f"[{service}](api/{service}.md)",
                str(document.get("info", {}).get("summary", "")),
                str(count),
            ]
        )
    operation_rows = [
        [
            f"[{op.operation_id}](api/{op.service}.md#{op.operation_id})",
            code(f"{op.method} {_server_prefix(services[op.service])}{op.path}"),
            op.service,
            access_label(op)[0],
        ]
        for op in ops
    ]
    return (
        "\n\n".join(
            [
                GENERATED_NOTICE,
                f"# Reference {version}",
                f"Everything on these pages is generated from the {version} specs on every docs build, "
                "so it always matches what the reference implementation serves and what the "
                "conformance suite checks.",
                "- [Requirements catalog](requirements.md): every rule, the operations it binds, "
                "and the tests that verify it.\n"
                "- [OWASP API Top 10 (2023)](owasp.md): each risk, the requirements that address it, "
                "and their tests.\n"
                "- Data model: one page per service schema, below.",
                "## Services",
                table(["Service", "What it does", "Operations"], rows),
                "## Data model",
                "\n".join(f"- [{schema}](data/{schema}.md)" for schema in data_schemas),
                "## All operations",
                table(["operationId", "Method and path", "Service", "Access"], operation_rows),
            ]
        )
        + "\n"
    )
