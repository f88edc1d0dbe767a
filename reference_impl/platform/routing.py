"""The spec-driven router: operations from the OpenAPI documents, bound to handlers.

At start-up every operation of every service spec is compiled into a :class:`Route` (its
handler, security, and validators) and placed in a :class:`RouteTable`. Static paths are a
dict lookup; templated ones are precompiled regular expressions grouped by segment count,
so a request never walks the spec. The set of operationIds in the specs and the set of
handlers the composition root binds must be equal, or the service refuses to start and names
the difference.

Several major versions are served side by side (``/api/v1``, ``/api/v2``): each version's
operations are bound to that version's handlers (an operationId means one operation per
version), and all of them go into one table, told apart by their server prefix.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from refarch import specs
from refarch.reference_impl.errors import json_pointer
from refarch.reference_impl.platform.contract import Handler, Operations
from refarch.reference_impl.platform.lifecycle import announce_successor
from refarch.reference_impl.platform.responses import (
    ResponseContract,
    compile_responses,
    json_schema_of,
)
from refarch.reference_impl.platform.validation import (
    CompiledSchema,
    ParameterSet,
    SpecError,
    compile_schema,
)

__all__ = [
    "Route",
    "RouteMatch",
    "RouteTable",
    "SpecSource",
    "build_route_table",
    "build_versioned_route_table",
]

_TEMPLATE_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
# a domain field name: members joined by dots, list positions in brackets
_FIELD_PART = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


@dataclass(frozen=True)
class SpecSource:
    """Which spec documents to serve. Production serves every service of every version."""

    version: str = "v1"
    services: tuple[str, ...] = specs.SERVICES
    root: Path | None = None  # None: refarch.specs.specs_root()
    newer_versions: tuple[str, ...] = ()  # served beside ``version``, e.g. ("v2",)

    @property
    def served_versions(self) -> tuple[str, ...]:
        return (self.version, *self.newer_versions)


@dataclass(frozen=True, slots=True)
class Route:
    operation_id: str
    method: str
    template: str  # full path template including the server base, e.g. /api/v1/products/{id}
    handler: Handler
    requires_auth: bool
    admin_only: bool
    path_params: ParameterSet
    query_params: ParameterSet
    header_params: ParameterSet
    header_names: tuple[str, ...]  # as the spec declares them, e.g. "Idempotency-Key"
    body: CompiledSchema | None  # None: the operation takes no JSON body
    media_types: frozenset[str]  # the JSON media types the spec declares for the body
    body_required: bool
    responses: ResponseContract

    def wire_field(self, name: str) -> tuple[str, str]:
        """Where a domain field name came from in this request, as ``(in, JSON pointer)``.

        Domain errors name the fields of the command they refused (``items[1].product_id``,
        ``idempotency_key``) and know nothing of HTTP; clients need the request's own
        location: a declared header (``("header", "/Idempotency-Key")``) or a member of the
        JSON body (``("body", "/items/1/product_id")``), the format FieldError declares.
        """
        parts: list[str | int] = [
            int(index) if index else member for member, index in _FIELD_PART.findall(name)
        ]
        key = str(parts[0]).lower() if parts else ""
        for header in self.header_names:
            if header.lower().replace("-", "_") == key:
                return "header", json_pointer([header, *parts[1:]])
        if self.body is not None:
            return "body", json_pointer(parts)
        # no body: the name is one of the operation's path or query parameters
        return ("path" if key in self.path_params.names else "query"), json_pointer(parts)


@dataclass(frozen=True, slots=True)
class RouteMatch:
    route: Route | None  # None when the path exists but not for this method
    path_params: dict[str, str]
    allowed: tuple[str, ...]  # methods the spec declares for the matched path


@dataclass(slots=True)
class RouteTable:
    static: dict[str, dict[str, Route]] = field(default_factory=dict)
    # segment count -> [(compiled template, {method: route})]
    templated: dict[int, list[tuple[re.Pattern[str], dict[str, Route]]]] = field(
        default_factory=dict
    )
    routes: list[Route] = field(default_factory=list)

    def match(self, method: str, path: str) -> RouteMatch | None:
        """The route for ``method path``; ``None`` when no spec path matches at all."""
        by_method = self.static.get(path)
        params: dict[str, str] = {}
        if by_method is None:
            for pattern, candidates in self.templated.get(path.count("/"), ()):
                found = pattern.fullmatch(path)
                if found is not None:
                    by_method, params = candidates, found.groupdict()
                    break
            else:
                return None
        return RouteMatch(by_method.get(method), params, tuple(by_method))

    def add(self, route: Route) -> None:
        self.routes.append(route)
        if "{" not in route.template:
            self.static.setdefault(route.template, {})[route.method] = route
            return
        bucket = self.templated.setdefault(route.template.count("/"), [])
        regex = "".join(
            f"(?P<{part}>[^/]+)" if index % 2 else re.escape(part)
            for index, part in enumerate(_TEMPLATE_PARAM.split(route.template))
        )
        for pattern, candidates in bucket:
            if pattern.pattern == regex:
                candidates[route.method] = route
                return
        bucket.append((re.compile(regex), {route.method: route}))


def _parameters(path_item: Mapping[str, Any], operation: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Path-item parameters overridden by the operation's own (OpenAPI: same name and in)."""
    merged = {(p["name"], p["in"]): p for p in path_item.get("parameters") or []}
    merged.update({(p["name"], p["in"]): p for p in operation.get("parameters") or []})
    return list(merged.values())


def _json_media_types(content: Mapping[str, Any]) -> frozenset[str]:
    """The JSON media types a request body may be sent as: exactly those declared."""
    declared = (str(name).lower() for name in content)
    return frozenset(
        name for name in declared if name == "application/json" or name.endswith("+json")
    )


def _compile_route(
    operation: specs.Operation, document: Mapping[str, Any], handler: Handler
) -> Route:
    where = f"{operation.service} {operation.method} {operation.path} ({operation.operation_id})"
    spec = operation.spec
    servers = document.get("servers") or [{"url": ""}]
    base = str(servers[0]["url"]).rstrip("/")
    parameters = _parameters(document["paths"][operation.path], spec)
    for name in _TEMPLATE_PARAM.findall(operation.path):
        if not any(p.get("in") == "path" and p.get("name") == name for p in parameters):
            raise SpecError(f"{where}: path parameter {name!r} is not declared")
    by_location = {
        location: [p for p in parameters if p.get("in") == location]
        for location in ("path", "query", "header")
    }
    request_body = spec.get("requestBody")
    body_schema = json_schema_of(request_body.get("content")) if request_body else None
    if request_body and body_schema is None:
        raise SpecError(f"{where}: only application/json request bodies are served")
    effective_security = spec.get("security", document.get("security"))
    return Route(
        operation_id=operation.operation_id,
        method=operation.method,
        template=base + operation.path,
        handler=announce_successor(spec, handler, where=where),
        requires_auth=bool(effective_security),
        admin_only=operation.admin_only,
        path_params=ParameterSet("path", by_location["path"], where=where),
        query_params=ParameterSet("query", by_location["query"], where=where),
        header_params=ParameterSet("header", by_location["header"], where=where),
        header_names=tuple(str(p["name"]) for p in by_location["header"]),
        body=compile_schema(body_schema, "body", where=where) if body_schema is not None else None,
        body_required=bool(request_body and request_body.get("required")),
        media_types=_json_media_types((request_body or {}).get("content") or {}),
        responses=compile_responses(
            operation.operation_id, spec.get("responses") or {}, where=where
        ),
    )


def build_versioned_route_table(
    source: SpecSource, handlers_for: Callable[[str], Operations]
) -> RouteTable:
    """Every served version in one table, each bound to ``handlers_for(version)``."""
    table = RouteTable()
    for version in source.served_versions:
        build_route_table(replace(source, version=version), handlers_for(version), into=table)
    return table


def build_route_table(
    source: SpecSource, handlers: Operations, *, into: RouteTable | None = None
) -> RouteTable:
    """Compile every operation of ``source.version``; refuse to start on any mismatch
    between specs and handlers."""
    operations = specs.operations(source.version, source.services, root=source.root)
    spec_ids = [op.operation_id for op in operations]
    missing_id = [
        f"{op.method} {op.path} ({op.service})" for op in operations if not op.operation_id
    ]
    duplicates = sorted({oid for oid in spec_ids if spec_ids.count(oid) > 1})
    unbound = sorted(set(spec_ids) - set(handlers))
    unknown = sorted(set(handlers) - set(spec_ids))
    problems = []
    if missing_id:
        problems.append("operations without an operationId: " + ", ".join(missing_id))
    if duplicates:
        problems.append("operationIds used twice: " + ", ".join(duplicates))
    if unbound:
        problems.append("operations without a handler: " + ", ".join(unbound))
    if unknown:
        problems.append("handlers for operationIds no spec declares: " + ", ".join(unknown))
    if problems:
        raise SpecError(f"cannot serve the {source.version} specs: " + "; ".join(problems))

    table = RouteTable() if into is None else into
    documents = {
        service: specs.load_openapi(service, source.version, root=source.root)
        for service in source.services
    }
    for operation in operations:
        handler = handlers[operation.operation_id]
        table.add(_compile_route(operation, documents[operation.service], handler))
    return table
