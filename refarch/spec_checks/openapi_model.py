"""The operations of the service documents, located in their files, for the project rules."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from refarch.spec_checks.findings import Finding
from refarch.spec_checks.layout import COMMON_DIR
from refarch.spec_checks.yaml_source import Pointer, Ref, SourceCache, YamlSource

__all__ = [
    "HTTP_METHODS",
    "OperationSite",
    "finding_at",
    "is_common_problem_schema",
    "iter_operations",
    "mapping",
    "schema_properties",
]

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def mapping(value: Any) -> dict[Any, Any]:
    """``value`` when it is a mapping, else empty: rules stay quiet on shapes the validator
    already reports (a ``content`` that is a list, a ``requestBody`` that is a string)."""
    return value if isinstance(value, dict) else {}


def finding_at(ref: Ref, rule: str, message: str, hint: str) -> Finding:
    line, col = ref.source.position(ref.pointer)
    return Finding(ref.source.path, line, col, rule, message, hint)


@dataclass(frozen=True)
class OperationSite:
    """One operation object as written in ``service``'s document."""

    service: str
    source: YamlSource
    url_path: str
    method: str
    spec: dict[str, Any]

    @property
    def pointer(self) -> Pointer:
        return ("paths", self.url_path, self.method)

    @property
    def operation_id(self) -> str | None:
        value = self.spec.get("operationId")
        return value if isinstance(value, str) and value else None

    @property
    def name(self) -> str:
        return self.operation_id or f"{self.method.upper()} {self.url_path}"

    def describe(self, ref: Ref, what: str) -> str:
        """``what`` named by this operation when ``ref`` is written inside it; a shared
        component is reported once, where it is written, so it is not named by any one user."""
        inline = ref.source is self.source and ref.pointer[:2] == ("paths", self.url_path)
        return f"{self.name}: {what}" if inline else f"shared {what}"

    def at(self, *sub: str | int) -> Ref:
        return Ref(self.source, (*self.pointer, *sub))

    def finding(self, sub: Pointer, rule: str, message: str, hint: str) -> Finding:
        return finding_at(self.at(*sub), rule, f"{self.name}: {message}", hint)

    def effective_security(self) -> list[Any]:
        """The operation's ``security``, else the document's (OpenAPI inheritance)."""
        if "security" in self.spec:
            return list(self.spec.get("security") or [])
        return list(self.source.data.get("security") or [])

    @property
    def secured(self) -> bool:
        # An empty requirement object ``{}`` in the list makes authentication optional.
        requirements = self.effective_security()
        return bool(requirements) and all(requirements)

    def parameters(self, cache: SourceCache) -> Iterator[Ref]:
        """Path-item and operation parameters, references followed; unresolvable ones skipped."""
        for owner in (("paths", self.url_path), self.pointer):
            params = Ref(self.source, owner).value.get("parameters")
            for index in range(len(params) if isinstance(params, list) else 0):
                try:
                    yield cache.resolve(self.source, (*owner, "parameters", index))
                except LookupError:
                    continue  # reported by the validity phase


def iter_operations(
    service: str, source: YamlSource, cache: SourceCache | None = None
) -> Iterator[OperationSite]:
    """Every operation of the document; with ``cache``, also those of path items written as
    a ``$ref`` to another document's path item (a v2 document serving v1's paths), located
    where they are written. An unresolvable reference is left to the validity phase."""
    paths = source.data.get("paths")
    if not isinstance(paths, dict):
        return
    for url_path, item in paths.items():
        owner, item_path = source, str(url_path)
        if isinstance(item, dict) and isinstance(item.get("$ref"), str) and cache is not None:
            try:
                target = cache.follow(source, item["$ref"])
            except LookupError:
                continue
            if len(target.pointer) != 2 or target.pointer[0] != "paths":
                continue
            owner, item_path, item = target.source, str(target.pointer[1]), target.value
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                yield OperationSite(service, owner, item_path, method, operation)


def is_common_problem_schema(cache: SourceCache, schema: Ref, depth: int = 0) -> bool:
    """True when the schema is (a ``$ref`` to, or an ``allOf`` with) common Problem."""
    if depth > 10:
        return False
    value = schema.value
    if not isinstance(value, dict):
        return False
    if isinstance(value.get("$ref"), str):
        try:
            target = cache.follow(schema.source, value["$ref"])
        except LookupError:
            return False
        if (
            target.source.path.name == "problem.yaml"
            and target.source.path.parent.name == COMMON_DIR
            and target.pointer == ("components", "schemas", "Problem")
        ):
            return True
        return is_common_problem_schema(cache, target, depth + 1)
    members = value.get("allOf")
    return isinstance(members, list) and any(
        is_common_problem_schema(
            cache, Ref(schema.source, (*schema.pointer, "allOf", i)), depth + 1
        )
        for i in range(len(members))
    )


def schema_properties(cache: SourceCache, schema: Ref, depth: int = 0) -> dict[str, Ref]:
    """Property name -> resolved property schema, through ``$ref`` and ``allOf``."""
    if depth > 10:
        return {}
    try:
        resolved = cache.resolve(schema.source, schema.pointer)
    except LookupError:
        return {}
    value = resolved.value
    if not isinstance(value, dict):
        return {}
    found: dict[str, Ref] = {}
    for index, _member in enumerate(value.get("allOf") or []):
        member = Ref(resolved.source, (*resolved.pointer, "allOf", index))
        found.update(schema_properties(cache, member, depth + 1))
    for name in mapping(value.get("properties")):
        prop = Ref(resolved.source, (*resolved.pointer, "properties", name))
        try:
            found[str(name)] = cache.resolve(prop.source, prop.pointer)
        except LookupError:
            continue
    return found
