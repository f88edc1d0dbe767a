"""Flatten a (resolved) JSON Schema into readable field rows for the API reference.

A reader scanning an API page wants "which fields, of what type, required or not, with
which limits" rather than raw JSON Schema. Nested objects become dotted paths
(``shipping_address.city``) and array items get ``[]`` (``items[].quantity``).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

__all__ = ["Field", "constraints", "describe_type", "fields", "merged"]

#: Deeper structures are summarised rather than expanded; no v1 schema gets close.
MAX_DEPTH = 6
#: A longer pattern is shown folded (a regular expression must not fill the column).
SHORT_PATTERN = 16


@dataclass(frozen=True)
class Field:
    path: str
    type: str
    required: bool
    constraints: str
    description: str


def merged(schema: dict[str, Any]) -> dict[str, Any]:
    """Fold ``allOf`` parts into one schema; the schema's own keywords win over its parts.

    The specs use ``allOf: [{$ref: SingleLineText}]`` plus local limits, which reads as
    "a single-line text of at most 200 characters" once folded.
    """
    if "allOf" not in schema:
        return schema
    result: dict[str, Any] = {}
    for part in schema["allOf"]:
        part = merged(part)
        for key, value in part.items():
            if key == "properties":
                result.setdefault("properties", {}).update(value)
            elif key == "required":
                result.setdefault("required", []).extend(value)
            else:
                result[key] = value
    for key, value in schema.items():
        if key != "allOf":
            result[key] = value
    return result


def describe_type(schema: dict[str, Any]) -> str:
    """``string (uuid)``, ``integer``, ``string | null``, ``array of object``, ``one of …``."""
    schema = merged(schema)
    for combinator in ("oneOf", "anyOf"):
        if combinator in schema:
            return " or ".join(describe_type(s) for s in schema[combinator])
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if kind else []
    if not kinds and "properties" in schema:
        kinds = ["object"]
    if not kinds and "const" in schema:
        return f"constant {schema['const']!r}"
    parts: list[str] = []
    for item in kinds:
        if item == "array":
            parts.append(f"array of {describe_type(schema.get('items', {}))}")
        elif item != "null" and schema.get("format"):
            parts.append(f"{item} ({schema['format']})")
        else:
            parts.append(str(item))
    return " | ".join(parts) or "any"


_LIMITS = (
    ("minLength", "length ≥ {}"),
    ("maxLength", "length ≤ {}"),
    ("minimum", "≥ {}"),
    ("maximum", "≤ {}"),
    ("exclusiveMinimum", "> {}"),
    ("exclusiveMaximum", "< {}"),
    ("minItems", "≥ {} items"),
    ("maxItems", "≤ {} items"),
    ("minProperties", "≥ {} fields"),
    ("multipleOf", "multiple of {}"),
)


def constraints(schema: dict[str, Any]) -> str:
    schema = merged(schema)
    found = [template.format(schema[key]) for key, template in _LIMITS if key in schema]
    if "enum" in schema:
        found.append(
            "one of " + ", ".join(f"`{v}`" if v is not None else "null" for v in schema["enum"])
        )
    if "pattern" in schema:
        found.append(_pattern(str(schema["pattern"])))
    if "default" in schema:
        found.append(f"default `{schema['default']}`")
    if schema.get("uniqueItems"):
        found.append("unique items")
    if schema.get("readOnly"):
        found.append("read-only")
    if schema.get("writeOnly"):
        found.append("write-only")
    return "; ".join(found)


def _pattern(pattern: str) -> str:
    if len(pattern) <= SHORT_PATTERN:
        return f"pattern `{pattern}`"
    # the full expression one click away, in a cell-sized fold (raw HTML inside a table cell)
    return (
        '<details class="refarch-pattern"><summary>pattern</summary>'
        # a pipe as an entity: a bare one would split the table cell
        f"<code>{html.escape(pattern).replace('|', '&#124;')}</code></details>"
    )


def _object_like(schema: dict[str, Any]) -> dict[str, Any] | None:
    """The schema whose properties describe this value, if it is an object."""
    schema = merged(schema)
    return schema if "properties" in schema else None


def fields(schema: dict[str, Any], prefix: str = "", depth: int = 0) -> list[Field]:
    """One row per property, depth first, in the order the spec lists them."""
    obj = _object_like(schema)
    if obj is None or depth > MAX_DEPTH:
        return []
    required = set(obj.get("required", []))
    rows: list[Field] = []
    for name, prop in obj.get("properties", {}).items():
        path = f"{prefix}{name}"
        rows.append(
            Field(
                path=path,
                type=describe_type(prop),
                required=name in required,
                constraints=constraints(prop),
                description=str(prop.get("description", "")),
            )
        )
        rows.extend(fields(prop, f"{path}.", depth + 1))
        items = merged(prop).get("items")
        if isinstance(items, dict):
            rows.extend(fields(items, f"{path}[].", depth + 1))
    if isinstance(obj.get("additionalProperties"), dict):
        rows.append(
            Field(f"{prefix}<any key>", describe_type(obj["additionalProperties"]), False, "", "")
        )
    return rows
