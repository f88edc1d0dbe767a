"""What each operation may answer, compiled from its spec, and the check against it.

Used when ``validate_responses`` is on (always in the test suite): a handler whose status,
body or declared headers stray from the spec is a bug, logged and turned into a 500 so the
test that triggered it fails, instead of a client discovering it later.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from refarch.reference_impl.platform.validation import CompiledSchema, compile_schema

__all__ = ["ResponseContract", "ResponseContractViolation", "compile_responses"]

_JSON_MEDIA_TYPES = ("application/json", "application/problem+json")


class ResponseContractViolation(Exception):
    """A handler answered something its operation's spec does not allow."""


@dataclass(frozen=True, slots=True)
class _HeaderRule:
    name: str  # lower case
    required: bool
    schema: CompiledSchema | None


@dataclass(frozen=True, slots=True)
class _ResponseRule:
    body: CompiledSchema | None  # None: the response has no body
    headers: tuple[_HeaderRule, ...]


def json_schema_of(content: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The schema of the JSON media type in an OpenAPI ``content`` map, if there is one."""
    for media_type in _JSON_MEDIA_TYPES:
        entry = (content or {}).get(media_type)
        if entry is not None:
            return dict(entry.get("schema") or {})
    return None


def _rule(response: Mapping[str, Any], where: str) -> _ResponseRule:
    schema = json_schema_of(response.get("content"))
    headers = tuple(
        _HeaderRule(
            name.lower(),
            bool(header.get("required")),
            compile_schema(header["schema"], f"header {name}", where=where)
            if header.get("schema")
            else None,
        )
        for name, header in (response.get("headers") or {}).items()
        # Content-Type is governed by the content map, not the headers map (OpenAPI 3.1)
        if name.lower() != "content-type"
    )
    return _ResponseRule(
        compile_schema(schema, "response", where=where) if schema else None, headers
    )


@dataclass(frozen=True, slots=True)
class ResponseContract:
    operation_id: str
    by_status: Mapping[int, _ResponseRule]
    default: _ResponseRule | None

    def check(self, status: int, body: Any, headers: Mapping[str, str]) -> None:
        """Raise ResponseContractViolation unless the spec allows this answer.

        ``body`` is the decoded JSON (or None), ``headers`` has lower-case names.
        """
        rule = self.by_status.get(status, self.default)
        prefix = f"{self.operation_id} answered {status}"
        if rule is None:
            raise ResponseContractViolation(f"{prefix}, a status its spec does not declare")
        if rule.body is None and body is not None:
            raise ResponseContractViolation(f"{prefix} with a body the spec does not declare")
        if rule.body is not None:
            if body is None:
                raise ResponseContractViolation(f"{prefix} without the body its spec declares")
            if not rule.body.is_valid(body):
                raise ResponseContractViolation(
                    f"{prefix} with a body that breaks its schema: {rule.body.errors(body, limit=5)}"
                )
        for header in rule.headers:
            value = headers.get(header.name)
            if value is None:
                if header.required:
                    raise ResponseContractViolation(f"{prefix} without its {header.name} header")
            elif header.schema is not None and not header.schema.is_valid(value):
                raise ResponseContractViolation(
                    f"{prefix} with a {header.name} header that breaks its schema: {value!r}"
                )


def compile_responses(
    operation_id: str, responses: Mapping[str, Any], *, where: str
) -> ResponseContract:
    by_status: dict[int, _ResponseRule] = {}
    default: _ResponseRule | None = None
    for status, response in responses.items():
        if str(status) == "default":
            default = _rule(response, where)
        elif str(status).isdigit():
            by_status[int(status)] = _rule(response, where)
    return ResponseContract(operation_id, by_status, default)
