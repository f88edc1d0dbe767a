"""Read JSON Schema keywords the same way for OpenAPI 3.0 and 3.1.

3.0 writes ``nullable: true`` and ``exclusiveMaximum: true`` beside ``maximum``; 3.1 writes
``type: [string, "null"]`` and ``exclusiveMaximum: 5``. A team moving from 3.0 to 3.1 changes
every one of them without changing what the API accepts, so the diff reads them through
these functions and sees no change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Bound",
    "bound",
    "canonical",
    "enum_values",
    "merged",
    "property_visible",
    "tighter",
    "type_set",
    "types_cover",
]

Schema = dict[str, Any]


def merged(schema: Schema) -> Schema:
    """``allOf`` folded into one schema: properties, required names and types combined.

    Enough for a diff: a client sees the union of the parts' properties either way.
    """
    parts = schema.get("allOf")
    if not isinstance(parts, list):
        return schema
    result: Schema = {k: v for k, v in schema.items() if k != "allOf"}
    properties: dict[str, Any] = dict(result.get("properties") or {})
    required: list[str] = list(result.get("required") or [])
    for part in parts:
        if not isinstance(part, dict):
            continue
        part = merged(part)
        properties.update(part.get("properties") or {})
        required += [name for name in part.get("required") or [] if name not in required]
        for key, value in part.items():
            if key not in ("properties", "required"):
                result.setdefault(key, value)
    if properties:
        result["properties"] = properties
    if required:
        result["required"] = required
    return result


def type_set(schema: Schema) -> frozenset[str] | None:
    """The JSON types a schema allows, ``null`` included; None means "any type"."""
    declared = schema.get("type")
    if isinstance(declared, str):
        types = {declared}
    elif isinstance(declared, list):
        types = {str(t) for t in declared}
    elif "properties" in schema:
        types = {"object"}
    elif "items" in schema:
        types = {"array"}
    else:
        return None
    if schema.get("nullable") is True:  # OpenAPI 3.0
        types.add("null")
    return frozenset(types)


def types_cover(wide: frozenset[str] | None, narrow: frozenset[str] | None) -> bool:
    """Every value of ``narrow``'s types is also a value of ``wide``'s (integer ⊂ number)."""
    if wide is None:
        return True
    if narrow is None:
        return False
    return all(t in wide or (t == "integer" and "number" in wide) for t in narrow)


def enum_values(schema: Schema) -> list[Any] | None:
    """The allowed values (``enum``, or ``const`` as a one-value enum); None when unrestricted."""
    if isinstance(schema.get("enum"), list):
        values = list(schema["enum"])
        if schema.get("nullable") is True and None not in values:
            values.append(None)  # 3.0: nullable admits null even beside an enum
        return values
    if "const" in schema:
        return [schema["const"]]
    return None


def canonical(value: Any) -> str:
    """A comparable text for any JSON value (enum members, variants, defaults)."""
    return json.dumps(value, sort_keys=True, default=str)


@dataclass(frozen=True)
class Bound:
    value: float
    exclusive: bool = False

    def __str__(self) -> str:
        number = int(self.value) if float(self.value).is_integer() else self.value
        return f"{number} (exclusive)" if self.exclusive else f"{number}"


def bound(schema: Schema, keyword: str) -> Bound | None:
    """A numeric bound; ``maximum``/``minimum`` read both exclusive forms."""
    value = _number(schema.get(keyword))
    if keyword not in ("maximum", "minimum"):
        return None if value is None else Bound(value)
    flag_or_bound = schema.get("exclusiveMaximum" if keyword == "maximum" else "exclusiveMinimum")
    if isinstance(flag_or_bound, bool):  # 3.0: a flag beside the bound
        return None if value is None else Bound(value, flag_or_bound)
    exclusive = _number(flag_or_bound)  # 3.1: the exclusive bound itself
    if exclusive is None:
        return None if value is None else Bound(value)
    if value is None:
        return Bound(exclusive, True)
    # both given: the tighter one wins (an equal pair is exclusive)
    upper = keyword == "maximum"
    inclusive_is_tighter = value < exclusive if upper else value > exclusive
    return Bound(value) if inclusive_is_tighter else Bound(exclusive, True)


def _number(value: Any) -> float | None:
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    return float(value) if is_number else None


def tighter(new: Bound | None, old: Bound | None, *, upper: bool) -> bool:
    """Does ``new`` admit fewer values than ``old`` on this side?"""
    if new is None:
        return False
    if old is None:
        return True
    if new.value != old.value:
        return new.value < old.value if upper else new.value > old.value
    return new.exclusive and not old.exclusive


def property_visible(schema: Any, direction: str) -> bool:
    """readOnly properties are never sent, writeOnly ones never returned."""
    if not isinstance(schema, dict):
        return True
    hidden = "readOnly" if direction == "request" else "writeOnly"
    return schema.get(hidden) is not True
