"""Phase 2: the project's own OpenAPI rules (OAS1xx), beyond what OpenAPI itself requires.

Each rule has a stable id so docs, CI logs and reviews can name it. This module holds the
rules on an operation's identity, SLO and pagination and on the document as a whole, and
runs them together with the response rules and the status-code rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from refarch.spec_checks import openapi_examples, openapi_response_rules, openapi_status_rules
from refarch.spec_checks.findings import Finding
from refarch.spec_checks.layout import SpecLayout
from refarch.spec_checks.openapi_model import (
    OperationSite,
    finding_at,
    iter_operations,
    mapping,
    schema_properties,
)
from refarch.spec_checks.yaml_source import Ref, SourceCache, YamlSource, YamlSourceError

__all__ = ["RULES", "check_openapi_rules"]

_OPERATION_ID = re.compile(r"^[a-z][A-Za-z0-9]*$")

_OWN_RULES: dict[str, str] = {
    "OAS101": "every operation has a camelCase operationId",
    "OAS102": "operationIds are unique across all services of a version",
    "OAS103": "every operation has tags, each declared in the document's top-level tags",
    "OAS104": "every operation has a summary",
    "OAS112": "every operation has x-slo with p95_ms, p99_ms and max_error_ratio",
    "OAS113": "list operations take a `limit` query parameter with a maximum",
    "OAS114": "servers contain the /api/<version> base",
    "OAS115": "paths do not repeat the /api/<version> prefix",
}

#: Rule id -> what it demands, for every OAS1xx rule; the docs render this table.
RULES: dict[str, str] = dict(
    sorted(
        {
            **_OWN_RULES,
            **openapi_response_rules.RULES,
            **openapi_status_rules.RULES,
            **openapi_examples.RULES,
        }.items()
    )
)


def _declared_tags(source: YamlSource) -> set[str]:
    tags = source.data.get("tags")
    return (
        {t["name"] for t in tags if isinstance(t, dict) and "name" in t}
        if isinstance(tags, list)
        else set()
    )


def _identity_rules(op: OperationSite) -> Iterator[Finding]:
    if op.operation_id is None:
        yield op.finding((), "OAS101", "no operationId", "add `operationId: verbNoun` (camelCase)")
    elif not _OPERATION_ID.match(op.operation_id):
        yield op.finding(
            ("operationId",),
            "OAS101",
            f"operationId {op.operation_id!r} is not camelCase",
            "use a camelCase verb phrase such as `listProducts`",
        )
    yield from _tag_rule(op)
    summary = op.spec.get("summary")
    if not (isinstance(summary, str) and summary.strip()):
        yield op.finding((), "OAS104", "no summary", "add a one-line `summary`")


def _tag_rule(op: OperationSite) -> Iterator[Finding]:
    tags = op.spec.get("tags")
    if not (isinstance(tags, list) and tags and all(isinstance(t, str) and t for t in tags)):
        yield op.finding(
            (), "OAS103", "no tags", "add `tags: [<resource>]` (declared at top level)"
        )
        return
    declared = _declared_tags(op.source)
    for index, tag in enumerate(tags):
        if tag not in declared:
            yield op.finding(
                ("tags", index),
                "OAS103",
                f"tag {tag!r} is not declared in the top-level tags",
                f"add `- name: {tag}` with a description to the document's `tags`",
            )


def _slo_rule(op: OperationSite) -> Iterator[Finding]:
    slo = op.spec.get("x-slo")
    hint = "add `x-slo: {p95_ms: 100, p99_ms: 250, max_error_ratio: 0.001}` (p95 <= p99)"
    if not isinstance(slo, dict):
        yield op.finding((), "OAS112", "no x-slo mapping", hint)
        return
    p95, p99, ratio = slo.get("p95_ms"), slo.get("p99_ms"), slo.get("max_error_ratio")
    wrong = []
    for name, value in (("p95_ms", p95), ("p99_ms", p99)):
        if not (isinstance(value, int) and not isinstance(value, bool) and value > 0):
            wrong.append(f"{name} must be a positive integer")
    if not (isinstance(ratio, int | float) and not isinstance(ratio, bool) and 0 <= ratio <= 1):
        wrong.append("max_error_ratio must be a number from 0 to 1")
    if not wrong and isinstance(p95, int) and isinstance(p99, int) and p95 > p99:
        wrong.append("p95_ms must not exceed p99_ms")
    for reason in wrong:
        yield op.finding(("x-slo",), "OAS112", f"x-slo: {reason}", hint)


def _pagination_rule(op: OperationSite, cache: SourceCache) -> Iterator[Finding]:
    if not _returns_page(op, cache):
        return
    for param in op.parameters(cache):
        value = param.value
        if isinstance(value, dict) and value.get("name") == "limit" and value.get("in") == "query":
            try:
                schema = cache.resolve(param.source, (*param.pointer, "schema")).value
            except LookupError:
                schema = None
            maximum = schema.get("maximum") if isinstance(schema, dict) else None
            if isinstance(maximum, int) and not isinstance(maximum, bool):
                return
            yield finding_at(
                param,
                "OAS113",
                f"{op.name}: `limit` has no integer maximum",
                "give the limit schema a `maximum` (the common Limit parameter has 100)",
            )
            return
    yield op.finding(
        ("parameters",) if "parameters" in op.spec else (),
        "OAS113",
        "list operation has no `limit` query parameter",
        "add `- $ref: '../common/pagination.yaml#/components/parameters/Limit'`",
    )


def _returns_page(op: OperationSite, cache: SourceCache) -> bool:
    """A 2xx JSON body with an ``items`` array and a ``page`` marks a list operation."""
    for code in mapping(op.spec.get("responses")):
        if not str(code).startswith("2"):
            continue
        try:
            response = cache.resolve(op.source, (*op.pointer, "responses", code))
        except LookupError:
            continue
        for media_type in mapping(mapping(response.value).get("content")):
            schema = Ref(response.source, (*response.pointer, "content", media_type, "schema"))
            if not schema.exists():
                continue
            props = schema_properties(cache, schema)
            items = props["items"].value if "items" in props else None
            if "page" in props and isinstance(items, dict) and items.get("type") == "array":
                return True
    return False


def _document_rules(source: YamlSource, version: str) -> Iterator[Finding]:
    base = f"/api/{version}"
    servers = source.data.get("servers")
    urls = (
        [s.get("url") for s in servers if isinstance(s, dict)] if isinstance(servers, list) else []
    )
    if not any(isinstance(url, str) and url.rstrip("/").endswith(base) for url in urls):
        yield finding_at(
            Ref(source, ("servers",) if servers else ()),
            "OAS114",
            f"servers do not contain the {base} base",
            f"add `servers: [{{url: {base}}}]`",
        )
    for url_path in mapping(source.data.get("paths")):
        if str(url_path).startswith("/api/"):
            yield finding_at(
                Ref(source, ("paths", url_path)),
                "OAS115",
                f"path {url_path} repeats the server prefix",
                f"write paths relative to the server ({base}), e.g. /orders",
            )


def _operation_rules(
    op: OperationSite,
    cache: SourceCache,
    siblings: dict[str, OperationSite],
    examples: openapi_examples.ExampleValidator,
) -> Iterator[Finding]:
    yield from _identity_rules(op)
    yield from _slo_rule(op)
    yield from _pagination_rule(op, cache)
    yield from openapi_response_rules.request_body_rules(op, cache)
    yield from openapi_response_rules.response_rules(op, cache, siblings)
    yield from openapi_status_rules.access_rules(op)
    yield from openapi_status_rules.status_coverage_rules(op, cache)
    yield from examples.rules(op)


def _duplicate_id(op: OperationSite, earlier: OperationSite) -> Finding:
    line, _ = earlier.source.position(earlier.pointer)
    return op.finding(
        ("operationId",),
        "OAS102",
        f"operationId is also used by {earlier.service} "
        f"{earlier.method.upper()} {earlier.url_path} (line {line})",
        "operationIds name handlers and requirements: rename one of them",
    )


def check_openapi_rules(layout: SpecLayout, cache: SourceCache) -> list[Finding]:
    """Project rules over every service document that parses (phase 1 reports the others)."""
    findings: list[Finding] = []
    first_use: dict[str, OperationSite] = {}
    examples = openapi_examples.ExampleValidator(cache)
    for service, path in layout.service_documents().items():
        try:
            source = cache.load(path)
        except YamlSourceError:
            continue
        if not isinstance(source.data, dict):
            continue
        findings.extend(_document_rules(source, layout.version))
        operations = list(iter_operations(service, source, cache))
        siblings = {op.operation_id: op for op in operations if op.operation_id}
        for op in operations:
            findings.extend(_operation_rules(op, cache, siblings, examples))
            if op.operation_id is not None:
                earlier = first_use.setdefault(op.operation_id, op)
                if earlier is not op:
                    findings.append(_duplicate_id(op, earlier))
    # Shared responses are reached from many operations: report each problem once.
    return list(dict.fromkeys(findings))
