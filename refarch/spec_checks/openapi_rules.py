"""Phase 2: the project's own OpenAPI rules (OAS1xx), beyond what OpenAPI itself requires.

Each rule has a stable id so docs, CI logs and reviews can name it. A problem in a shared
response (``common/problem.yaml``) is reported once, where it is written, not once per use.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from refarch.spec_checks.findings import Finding
from refarch.spec_checks.layout import SpecLayout
from refarch.spec_checks.openapi_model import (
    OperationSite,
    finding_at,
    is_common_problem_schema,
    iter_operations,
    schema_properties,
)
from refarch.spec_checks.yaml_source import Ref, SourceCache, YamlSourceError

__all__ = ["RULES", "check_openapi_rules"]

PROBLEM_JSON = "application/problem+json"
KNOWN_ROLES = ("admin",)
_OPERATION_ID = re.compile(r"^[a-z][A-Za-z0-9]*$")

#: Rule id -> what it demands; the docs render this table.
RULES: dict[str, str] = {
    "OAS101": "every operation has a camelCase operationId",
    "OAS102": "operationIds are unique across all services of a version",
    "OAS103": "every operation has at least one tag",
    "OAS104": "every operation has a summary",
    "OAS105": "every request body media type has an example",
    "OAS106": "every response body media type has an example",
    "OAS107": "every 4xx/5xx response is application/problem+json only",
    "OAS108": "problem+json bodies use the common Problem schema",
    "OAS109": "secured operations declare 401",
    "OAS110": "admin-only operations (x-required-role: admin) declare 403",
    "OAS111": "only operations with x-required-role declare 403",
    "OAS112": "every operation has x-slo with p95_ms, p99_ms and max_error_ratio",
    "OAS113": "list operations take a `limit` query parameter with a maximum",
    "OAS114": "servers contain the /api/<version> base",
    "OAS115": "paths do not repeat the /api/<version> prefix",
    "OAS116": "x-required-role names a known role on a secured operation",
}


def _is_error_status(code: str) -> bool:
    return code[:1] in ("4", "5") or code == "default"


def _has_example(media: Any) -> bool:
    return isinstance(media, dict) and ("example" in media or bool(media.get("examples")))


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
    tags = op.spec.get("tags")
    if not (isinstance(tags, list) and tags and all(isinstance(t, str) and t for t in tags)):
        yield op.finding(
            (), "OAS103", "no tags", "add `tags: [<resource>]` (declared at top level)"
        )
    summary = op.spec.get("summary")
    if not (isinstance(summary, str) and summary.strip()):
        yield op.finding((), "OAS104", "no summary", "add a one-line `summary`")


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
    if not wrong and p95 > p99:  # type: ignore[operator]
        wrong.append("p95_ms must not exceed p99_ms")
    for reason in wrong:
        yield op.finding(("x-slo",), "OAS112", f"x-slo: {reason}", hint)


def _request_body_rules(op: OperationSite, cache: SourceCache) -> Iterator[Finding]:
    if "requestBody" not in op.spec:
        return
    try:
        body = cache.resolve(op.source, (*op.pointer, "requestBody"))
    except LookupError:
        return
    for media_type, media in ((body.value or {}).get("content") or {}).items():
        if not _has_example(media):
            yield finding_at(
                Ref(body.source, (*body.pointer, "content", media_type)),
                "OAS105",
                f"{op.name}: request body {media_type} has no example",
                "add `example:` (or `examples:`) next to the schema",
            )


def _response_rules(op: OperationSite, cache: SourceCache) -> Iterator[Finding]:
    responses = op.spec.get("responses")
    for code in responses if isinstance(responses, dict) else {}:
        try:
            response = cache.resolve(op.source, (*op.pointer, "responses", code))
        except LookupError:
            continue
        content = (response.value or {}).get("content") or {}
        # A shared response is reported once where it is written, so without an operation name.
        inline = response.source is op.source and response.pointer[:3] == op.pointer
        label = f"{op.name}: response {code}" if inline else f"shared response {code}"
        for media_type, media in content.items():
            if not _has_example(media):
                yield finding_at(
                    Ref(response.source, (*response.pointer, "content", media_type)),
                    "OAS106",
                    f"{label} {media_type} has no example",
                    "add `example:` (or `examples:`) next to the schema",
                )
        if _is_error_status(str(code)):
            yield from _problem_rules(response, content, label, cache)


def _problem_rules(
    response: Ref, content: dict[str, Any], label: str, cache: SourceCache
) -> Iterator[Finding]:
    hint = (
        "reference a shared response, e.g. "
        "`$ref: '../common/problem.yaml#/components/responses/NotFound'`"
    )
    if PROBLEM_JSON not in content:
        yield finding_at(
            Ref(response.source, (*response.pointer, "content") if content else response.pointer),
            "OAS107",
            f"{label} has no {PROBLEM_JSON} body",
            hint,
        )
    for media_type in content:
        if media_type != PROBLEM_JSON:
            yield finding_at(
                Ref(response.source, (*response.pointer, "content", media_type)),
                "OAS107",
                f"{label} is served as {media_type}; errors are {PROBLEM_JSON} only",
                hint,
            )
    if PROBLEM_JSON in content:
        schema = Ref(response.source, (*response.pointer, "content", PROBLEM_JSON, "schema"))
        if not is_common_problem_schema(cache, schema):
            yield finding_at(
                Ref(response.source, (*response.pointer, "content", PROBLEM_JSON)),
                "OAS108",
                f"{label} body does not use the common Problem schema",
                "use `$ref: '../common/problem.yaml#/components/schemas/Problem'` "
                "(or an allOf that includes it)",
            )


def _access_rules(op: OperationSite) -> Iterator[Finding]:
    responses = op.spec.get("responses")
    codes = {str(code) for code in responses} if isinstance(responses, dict) else set()
    role = op.spec.get("x-required-role")
    if op.secured and "401" not in codes:
        yield op.finding(
            ("responses",),
            "OAS109",
            "secured operation does not declare 401",
            "add `'401': {$ref: '../common/problem.yaml#/components/responses/Unauthorized'}`"
            " (or `security: []` if the operation is public)",
        )
    if role is not None and (role not in KNOWN_ROLES or not op.secured):
        reason = f"unknown role {role!r}" if role not in KNOWN_ROLES else "a public operation"
        yield op.finding(
            ("x-required-role",),
            "OAS116",
            f"x-required-role on {reason}",
            f"roles are {', '.join(KNOWN_ROLES)}; role-restricted operations need security",
        )
    if role == "admin" and "403" not in codes:
        yield op.finding(
            ("responses",),
            "OAS110",
            "admin-only operation does not declare 403",
            "add `'403': {$ref: '../common/problem.yaml#/components/responses/Forbidden'}`",
        )
    if role is None and "403" in codes:
        yield op.finding(
            ("responses", "403"),
            "OAS111",
            "declares 403 but no x-required-role, so no checker can tell who is refused",
            "add `x-required-role: admin` if the operation is admin-only, else drop the 403",
        )


def _pagination_rule(op: OperationSite, cache: SourceCache) -> Iterator[Finding]:
    if not _returns_page(op, cache):
        return
    for param in op.parameters(cache):
        value = param.value
        if isinstance(value, dict) and value.get("name") == "limit" and value.get("in") == "query":
            schema = Ref(param.source, (*param.pointer, "schema"))
            try:
                maximum = cache.resolve(schema.source, schema.pointer).value.get("maximum")
            except (LookupError, AttributeError, KeyError):
                maximum = None
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
    for code in op.spec.get("responses") or {}:
        if not str(code).startswith("2"):
            continue
        try:
            response = cache.resolve(op.source, (*op.pointer, "responses", code))
        except LookupError:
            continue
        for media_type in (response.value or {}).get("content") or {}:
            schema = Ref(response.source, (*response.pointer, "content", media_type, "schema"))
            try:
                schema.value  # noqa: B018 - probing that the schema exists
            except KeyError:
                continue
            props = schema_properties(cache, schema)
            items = props.get("items")
            if items is not None and "page" in props and items.value.get("type") == "array":
                return True
    return False


def _document_rules(service: str, layout: SpecLayout, cache: SourceCache) -> Iterator[Finding]:
    source = cache.load(layout.service_documents()[service])
    base = f"/api/{layout.version}"
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
    for url_path in source.data.get("paths") or {}:
        if str(url_path).startswith("/api/"):
            yield finding_at(
                Ref(source, ("paths", url_path)),
                "OAS115",
                f"path {url_path} repeats the server prefix",
                f"write paths relative to the server ({base}), e.g. /orders",
            )


def check_openapi_rules(layout: SpecLayout, cache: SourceCache) -> list[Finding]:
    """Project rules over every service document that parses (phase 1 reports the others)."""
    findings: list[Finding] = []
    first_use: dict[str, OperationSite] = {}
    for service, path in layout.service_documents().items():
        try:
            source = cache.load(path)
        except YamlSourceError:
            continue
        if not isinstance(source.data, dict):
            continue
        findings.extend(_document_rules(service, layout, cache))
        for op in iter_operations(service, source):
            findings.extend(_identity_rules(op))
            findings.extend(_slo_rule(op))
            findings.extend(_request_body_rules(op, cache))
            findings.extend(_response_rules(op, cache))
            findings.extend(_access_rules(op))
            findings.extend(_pagination_rule(op, cache))
            if op.operation_id is None:
                continue
            earlier = first_use.setdefault(op.operation_id, op)
            if earlier is not op:
                line, _ = earlier.source.position(earlier.pointer)
                findings.append(
                    op.finding(
                        ("operationId",),
                        "OAS102",
                        f"operationId is also used by {earlier.service} "
                        f"{earlier.method.upper()} {earlier.url_path} (line {line})",
                        "operationIds name handlers and requirements: rename one of them",
                    )
                )
    return list(dict.fromkeys(findings))
