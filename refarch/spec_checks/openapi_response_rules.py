"""Project rules on bodies and responses: examples, problem+json errors, headers, links.

A problem in a shared response (``common/problem.yaml``) is reported once, where it is
written, not once per operation that uses it: the fix goes there.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from refarch.spec_checks.findings import Finding
from refarch.spec_checks.openapi_model import (
    OperationSite,
    finding_at,
    is_common_problem_schema,
    mapping,
)
from refarch.spec_checks.yaml_source import Ref, SourceCache

__all__ = ["PROBLEM_JSON", "RULES", "request_body_rules", "response_rules"]

PROBLEM_JSON = "application/problem+json"

#: Headers the contract promises on responses: name -> status codes (None = every response).
REQUIRED_HEADERS: dict[str, tuple[str, ...] | None] = {
    "X-Request-ID": None,
    "Location": ("201",),  # RFC 9110: where the created resource lives
    "WWW-Authenticate": ("401",),
    "Allow": ("405",),
    "Retry-After": ("429", "503"),
}

RULES: dict[str, str] = {
    "OAS105": "every request body media type has an example",
    "OAS106": "every response body media type has an example",
    "OAS107": "every 4xx/5xx response is application/problem+json only",
    "OAS108": "problem+json bodies use the common Problem schema",
    "OAS117": (
        "responses declare X-Request-ID; 201 Location; 401 WWW-Authenticate; 405 Allow; "
        "429/503 Retry-After"
    ),
    "OAS122": "links target an operation of the same document and fill only its parameters",
    "OAS123": "201 responses declare links to what can be done with the new resource",
}


def _is_error_status(code: str) -> bool:
    return code[:1] in ("4", "5") or code == "default"


def _has_example(media: Any) -> bool:
    return isinstance(media, dict) and ("example" in media or bool(media.get("examples")))


def request_body_rules(op: OperationSite, cache: SourceCache) -> Iterator[Finding]:
    if "requestBody" not in op.spec:
        return
    try:
        body = cache.resolve(op.source, (*op.pointer, "requestBody"))
    except LookupError:
        return  # reported by the validity phase
    for media_type, media in mapping(mapping(body.value).get("content")).items():
        if not _has_example(media):
            yield finding_at(
                Ref(body.source, (*body.pointer, "content", media_type)),
                "OAS105",
                f"{op.name}: request body {media_type} has no example",
                "add `example:` (or `examples:`) next to the schema",
            )


def response_rules(
    op: OperationSite, cache: SourceCache, siblings: dict[str, OperationSite]
) -> Iterator[Finding]:
    """``siblings``: the operations of ``op``'s own document by id, the valid link targets."""
    responses = op.spec.get("responses")
    for code in responses if isinstance(responses, dict) else {}:
        try:
            response = cache.resolve(op.source, (*op.pointer, "responses", code))
        except LookupError:
            continue
        if not isinstance(response.value, dict):
            continue
        label = op.describe(response, f"response {code}")
        content = mapping(response.value.get("content"))
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
        yield from _header_rules(response, str(code), label)
        yield from _link_rules(op, response, str(code), siblings, cache)


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


def _header_rules(response: Ref, code: str, label: str) -> Iterator[Finding]:
    headers = response.value.get("headers")
    declared = {str(name).lower() for name in headers} if isinstance(headers, dict) else set()
    for name, codes in REQUIRED_HEADERS.items():
        if (codes is None or code in codes) and name.lower() not in declared:
            yield finding_at(
                Ref(
                    response.source, (*response.pointer, "headers") if headers else response.pointer
                ),
                "OAS117",
                f"{label} does not declare the {name} header",
                f"add `{name}: {{$ref: '../common/...#/components/headers/...'}}` under headers "
                "(the shared responses in common/problem.yaml show how)",
            )


def _link_rules(
    op: OperationSite,
    response: Ref,
    code: str,
    siblings: dict[str, OperationSite],
    cache: SourceCache,
) -> Iterator[Finding]:
    links = response.value.get("links")
    if code == "201" and not links:
        yield finding_at(
            response,
            "OAS123",
            f"{op.name}: response 201 declares no links",
            "add `links:` to the operations that use the new resource (e.g. get it by id), "
            "so stateful testing can chain calls",
        )
    for name in mapping(links):
        try:
            link = cache.resolve(response.source, (*response.pointer, "links", name))
        except LookupError:
            continue  # reported by the validity phase
        target_id = mapping(link.value).get("operationId")
        target = siblings.get(target_id) if isinstance(target_id, str) else None
        if target is None:
            yield finding_at(
                link,
                "OAS122",
                f"{op.name}: link {name} targets {target_id!r}, not an operation of this document",
                "name an operationId defined in the same document (operationRef is not used)",
            )
            continue
        yield from _link_parameter_rules(op, name, link, target, cache)


def _link_parameter_rules(
    op: OperationSite, name: str, link: Ref, target: OperationSite, cache: SourceCache
) -> Iterator[Finding]:
    """Every parameter a link fills must exist on the target, or stateful tests break."""
    accepted = {
        (str(p.value.get("in")), str(p.value.get("name")))
        for p in target.parameters(cache)
        if isinstance(p.value, dict)
    }
    for key in mapping(mapping(link.value).get("parameters")):
        location, _, param = str(key).rpartition(".")
        known = any(n == param and (not location or loc == location) for loc, n in accepted)
        if not known:
            yield finding_at(
                Ref(link.source, (*link.pointer, "parameters", key)),
                "OAS122",
                f"{op.name}: link {name} sets parameter {key!r}, which {target.name} does not take",
                f"use one of {target.name}'s parameters: "
                + (", ".join(sorted(n for _, n in accepted)) or "none"),
            )
    if "requestBody" in mapping(link.value) and "requestBody" not in target.spec:
        yield finding_at(
            Ref(link.source, (*link.pointer, "requestBody")),
            "OAS122",
            f"{op.name}: link {name} sets a request body, but {target.name} takes none",
            "drop `requestBody` from the link",
        )
