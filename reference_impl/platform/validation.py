"""Request and response validation compiled once from the spec's schemas.

Each operation gets one compiled validator per request location (path, query, headers,
body) and one per declared response. Query and path values arrive as strings and are
coerced to the type their schema declares before validation, so handlers receive
``limit=20`` rather than ``"20"``. Failures are reported as ``{in, field, message}`` entries
(``field`` a JSON Pointer into ``in``) in plain words; schema internals (``$ref``, keyword
paths, schema dumps) never reach a client.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import jsonschema_rs

from refarch.reference_impl.errors import field_error

__all__ = [
    "CompiledSchema",
    "FieldError",
    "ParameterSet",
    "SpecError",
    "compile_schema",
]

FieldError = dict[str, str]  # {"in": "body", "field": "/items/0/quantity", "message": "..."}


class SpecError(ValueError):
    """The spec cannot be served as written; raised at start-up, never per request."""


# Strict forms: int() alone would accept " 12", "1_000" and "+5".
_INTEGER = re.compile(r"-?(0|[1-9][0-9]*)")
_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_SCALAR_TYPES = frozenset({"string", "integer", "number", "boolean"})


def _schema_type(schema: Mapping[str, Any]) -> str:
    declared = schema.get("type", "string")
    if isinstance(declared, list):
        declared = next((t for t in declared if t != "null"), "string")
    return str(declared)


def _coerce_scalar(kind: str, raw: str) -> Any:
    """``raw`` converted to ``kind``; left as a string when it does not parse, so the
    validator reports the type error with the parameter's name."""
    if kind == "integer" and _INTEGER.fullmatch(raw):
        return int(raw)
    if kind == "number" and _NUMBER.fullmatch(raw):
        return float(raw) if ("." in raw or "e" in raw.lower()) else int(raw)
    if kind == "boolean" and raw in ("true", "false"):
        return raw == "true"
    return raw


def _example_of(schema: Mapping[str, Any], keyword_path: list[str | int]) -> Any:
    """The ``example`` of the schema node holding the failed keyword, if it has one."""
    node: Any = schema
    try:
        for step in keyword_path[:-1]:
            node = node[step]
    except (KeyError, IndexError, TypeError):
        return None
    if not isinstance(node, Mapping):
        return None
    examples = node.get("examples")
    return node.get("example", examples[0] if isinstance(examples, list) and examples else None)


def _describe(kind: Any, example: Any, instance: Any) -> str:
    """A human sentence for one failed keyword, without echoing the (maybe huge) value and
    without schema jargon: a pattern is explained by the spec's example, never quoted."""
    name = kind.name
    if name == "type" and instance is None:
        # null is not "absent": an optional member is left out, never sent as null (API
        # guidelines); say how to fix it rather than name a type.
        return "must not be null; leave the field out instead"
    if name == "type":
        return "must be of type " + " or ".join(kind.types)
    if name in ("minimum", "exclusiveMinimum"):
        return ("must be at least " if name == "minimum" else "must be greater than ") + str(
            kind.limit
        )
    if name in ("maximum", "exclusiveMaximum"):
        return ("must be at most " if name == "maximum" else "must be less than ") + str(kind.limit)
    if name == "minLength":
        return (
            "must not be empty"
            if kind.limit == 1
            else f"must be at least {kind.limit} characters long"
        )
    if name == "maxLength":
        return f"must be at most {kind.limit} characters long"
    if name == "pattern":
        if isinstance(example, str | int) and len(str(example)) <= 80:
            return f"is not in the expected format (for example {example})"
        return "is not in the expected format"
    if name == "format":
        return f"must be a valid {kind.format}"
    if name == "enum":
        return "must be one of: " + ", ".join(str(option) for option in kind.options)
    if name == "const":
        return "has a value that is not allowed here"
    if name == "minItems":
        return f"must contain at least {kind.limit} items"
    if name == "maxItems":
        return f"must contain at most {kind.limit} items"
    if name == "uniqueItems":
        return "must not contain duplicate items"
    if name == "minProperties":
        return f"must contain at least {kind.limit} fields"
    if name == "maxProperties":
        return f"must contain at most {kind.limit} fields"
    if name == "multipleOf":
        return f"must be a multiple of {kind.multiple_of}"
    if name in ("anyOf", "oneOfNotValid", "oneOfMultipleValid", "not", "falseSchema"):
        return "does not match any allowed form"
    return "is invalid"


def _field_errors(
    error: jsonschema_rs.ValidationError, location: str, schema: Mapping[str, Any]
) -> list[FieldError]:
    kind: Any = error.kind  # per-keyword attributes (property, limit...) are dynamic
    path: list[str | int] = list(error.instance_path)
    if kind.name == "required":
        return [field_error(location, [*path, kind.property], "is required")]
    if kind.name in ("additionalProperties", "unevaluatedProperties"):
        names = getattr(kind, "unexpected", None) or []
        return [
            field_error(location, [*path, name], "is not an allowed field") for name in names
        ] or [field_error(location, path, "contains fields that are not allowed")]
    example = _example_of(schema, list(error.schema_path)) if kind.name == "pattern" else None
    return [field_error(location, path, _describe(kind, example, error.instance))]


Normalizer = Callable[[Any], Any]


def _to_int(value: Any) -> Any:
    return int(value) if type(value) is float and value.is_integer() else value


def _integer_normalizer(schema: Mapping[str, Any]) -> Normalizer | None:
    """JSON Schema counts ``2.0`` as an integer, Python and PostgreSQL do not: turn such
    values into ``int`` where the schema says integer, so handlers never see ``2.0``.
    Planned once per schema; a schema without integers costs nothing per request."""
    declared = schema.get("type")
    types = declared if isinstance(declared, list) else [declared]
    if "integer" in types and "number" not in types:
        return _to_int
    properties = {
        name: normalizer
        for name, sub in (schema.get("properties") or {}).items()
        if (normalizer := _integer_normalizer(sub)) is not None
    }
    item_schema = schema.get("items")
    items = _integer_normalizer(item_schema) if isinstance(item_schema, Mapping) else None
    if not properties and items is None:
        return None

    def normalize(value: Any) -> Any:
        if properties and isinstance(value, dict):
            for name, normalizer in properties.items():
                if name in value:
                    value[name] = normalizer(value[name])
        elif items is not None and isinstance(value, list):
            value[:] = [items(item) for item in value]
        return value

    return normalize


@dataclass(frozen=True, slots=True)
class CompiledSchema:
    """A schema compiled once; ``errors`` points at the failing fields within ``location``."""

    validator: Any  # jsonschema_rs validator (no public base class to annotate with)
    location: str  # body, query, path or header
    schema: Mapping[str, Any]  # kept to explain failures with the spec's examples
    normalizer: Normalizer | None = None
    sample_items: int | None = None  # see _sample_items

    def is_valid(self, instance: Any) -> bool:
        return bool(self.validator.is_valid(instance))

    def normalize(self, instance: Any) -> Any:
        """A valid instance with integral floats in integer fields made ``int``."""
        return instance if self.normalizer is None else self.normalizer(instance)

    def errors(self, instance: Any, *, limit: int = 20) -> list[FieldError]:
        # jsonschema_rs builds every error before the first is returned (10,000 bad array
        # items took 0.7 s of event loop), so explain a sample: arrays cut one item past
        # the schema's largest maxItems still fail maxItems. Only when the sample happens
        # to be valid is the whole instance explained.
        if self.sample_items is None:
            return self._explain(instance, limit)
        found = self._explain(_sample(instance, self.sample_items), limit)
        return found or self._explain(instance, limit)

    def _explain(self, instance: Any, limit: int) -> list[FieldError]:
        found: list[FieldError] = []
        for error in self.validator.iter_errors(instance):
            found.extend(_field_errors(error, self.location, self.schema))
            if len(found) >= limit:  # a hostile body must not make the answer huge
                break
        return found[:limit]


def _sample_items(schema: Any) -> int | None:
    """One more than the largest ``maxItems`` in ``schema``; ``None`` when an array in it
    has no ``maxItems`` (then only the whole instance explains every failure)."""
    largest = 0
    pending = [schema]
    while pending:
        node = pending.pop()
        if isinstance(node, Mapping):
            declared = node.get("type")
            # by type only: a ``properties`` map may well have a member called "items"
            is_array = declared == "array" or (isinstance(declared, list) and "array" in declared)
            if is_array and not isinstance(node.get("maxItems"), int):
                return None
            largest = max(largest, node.get("maxItems", 0) if is_array else 0)
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return largest + 1


def _sample(instance: Any, items: int) -> Any:
    """``instance`` with every array cut to its first ``items`` items."""
    if isinstance(instance, list):
        return [_sample(item, items) for item in instance[:items]]
    if isinstance(instance, dict):
        return {name: _sample(value, items) for name, value in instance.items()}
    return instance


def compile_schema(schema: Mapping[str, Any], location: str, *, where: str) -> CompiledSchema:
    try:
        validator = jsonschema_rs.Draft202012Validator(dict(schema), validate_formats=True)
    except (ValueError, jsonschema_rs.ValidationError) as exc:
        raise SpecError(f"{where}: schema does not compile: {exc}") from exc
    return CompiledSchema(
        validator, location, schema, _integer_normalizer(schema), _sample_items(schema)
    )


@dataclass(frozen=True, slots=True)
class _Parameter:
    name: str  # as sent: header names lower-cased
    kind: str  # scalar type, or "array"
    item_kind: str  # scalar type of array items


class ParameterSet:
    """The declared parameters of one location (path, query or header) of one operation.

    ``extract`` picks the declared names from the raw multi-valued input, coerces them,
    applies defaults and returns ``(values, errors)``.
    """

    __slots__ = ("_declared", "_defaults", "_parameters", "_schema")

    @property
    def names(self) -> frozenset[str]:
        """The declared names (header names lower-cased)."""
        return frozenset(parameter.name for parameter in self._parameters)

    def __init__(self, location: str, parameters: list[dict[str, Any]], *, where: str) -> None:
        properties: dict[str, Any] = {}
        required: list[str] = []
        self._parameters: list[_Parameter] = []
        self._defaults: dict[str, Any] = {}
        # errors name a parameter as the spec declares it (``Idempotency-Key``), not as
        # matched (header names are compared lower-cased)
        self._declared: dict[str, str] = {}
        for parameter in parameters:
            schema = parameter.get("schema") or {}
            name = parameter["name"].lower() if location == "header" else parameter["name"]
            kind = _schema_type(schema)
            item_kind = _schema_type(schema.get("items") or {}) if kind == "array" else kind
            if (kind not in _SCALAR_TYPES and kind != "array") or item_kind not in _SCALAR_TYPES:
                raise SpecError(
                    f"{where}: {location} parameter {parameter['name']!r} has type {kind!r}; "
                    "only string, integer, number, boolean and arrays of those are served"
                )
            properties[name] = schema
            self._declared[name] = parameter["name"]
            if parameter.get("required") or location == "path":
                required.append(name)
            if "default" in schema:
                self._defaults[name] = schema["default"]
            self._parameters.append(_Parameter(name, kind, item_kind))
        self._schema: CompiledSchema | None = (
            compile_schema(
                {"type": "object", "properties": properties, "required": required},
                location,
                where=where,
            )
            if self._parameters
            else None
        )

    def extract(
        self, get_all: Callable[[str], list[str]]
    ) -> tuple[dict[str, Any], list[FieldError]]:
        if self._schema is None:
            return {}, []
        values: dict[str, Any] = {}
        repeated: list[FieldError] = []
        for parameter in self._parameters:
            raw = get_all(parameter.name)
            if not raw:
                continue
            if parameter.kind == "array":
                values[parameter.name] = [_coerce_scalar(parameter.item_kind, v) for v in raw]
            elif len(raw) > 1:
                # ?limit=1&limit=abc: neither the first nor the last is "the" value
                once = field_error(self._schema.location, [parameter.name], "must be given once")
                repeated.append(self._as_declared(once))
            else:
                values[parameter.name] = _coerce_scalar(parameter.kind, raw[0])
        if repeated:
            return values, repeated
        if self._schema.is_valid(values):
            for name, default in self._defaults.items():
                values.setdefault(name, default)
            return values, []
        return values, [self._as_declared(error) for error in self._schema.errors(values)]

    def _as_declared(self, error: FieldError) -> FieldError:
        name, _, rest = error["field"][1:].partition("/")
        declared = self._declared.get(name)
        if declared is None:
            return error
        return {**error, "field": "/" + declared + ("/" + rest if rest else "")}
