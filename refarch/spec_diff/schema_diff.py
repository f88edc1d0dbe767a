"""Compare two resolved JSON Schemas as a request or a response schema.

Direction decides severity: the catalog holds a ``request-*`` and a ``response-*`` id for
every schema rule, and this module only says which kind of edit it saw.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from refarch.spec_diff.catalog import BOUNDS
from refarch.spec_diff.changes import Change, pointer
from refarch.spec_diff.schema_model import (
    bound,
    canonical,
    enum_values,
    merged,
    property_visible,
    tighter,
    type_set,
    types_cover,
)

__all__ = ["SchemaComparison"]


def _types_text(types: frozenset[str] | None) -> str:
    return "any" if types is None else "|".join(sorted(types))


@dataclass
class SchemaComparison:
    """Collects the changes between schemas met under one operation and direction."""

    operation: str
    direction: str  # "request" or "response"
    changes: list[Change] = field(default_factory=list)

    def _add(self, kind: str, location: tuple[str | int, ...], detail: str) -> None:
        rule = kind if kind == "property-deprecated" else f"{self.direction}-{kind}"
        self.changes.append(Change(self.operation, pointer(*location), rule, detail))

    def compare(self, old: Any, new: Any, location: tuple[str | int, ...]) -> None:
        if not isinstance(old, dict) or not isinstance(new, dict):
            return
        if "$ref" in old or "$ref" in new:  # a recursion marker: compared at its first visit
            return
        old, new = merged(old), merged(new)
        self._types(old, new, location)
        self._enum(old, new, location)
        self._bounds(old, new, location)
        self._strings(old, new, location)
        self._properties(old, new, location)
        self._variants(old, new, location)
        if isinstance(old.get("items"), dict) and isinstance(new.get("items"), dict):
            self.compare(old["items"], new["items"], (*location, "items"))
        old_extra, new_extra = old.get("additionalProperties"), new.get("additionalProperties")
        if isinstance(old_extra, dict) and isinstance(new_extra, dict):
            self.compare(old_extra, new_extra, (*location, "additionalProperties"))
        elif self.direction == "request" and new_extra is False and old_extra is not False:
            self._add("additional-properties-closed", location, "additionalProperties: false")

    def _types(self, old: dict[str, Any], new: dict[str, Any], at: tuple[str | int, ...]) -> None:
        before, after = type_set(old), type_set(new)
        if before == after:
            return
        detail = f"type {_types_text(before)} -> {_types_text(after)}"
        if types_cover(after, before):
            self._add("type-widened", at, detail)
        elif types_cover(before, after):
            self._add("type-narrowed", at, detail)
        else:
            self._add("type-changed", at, detail)

    def _enum(self, old: dict[str, Any], new: dict[str, Any], at: tuple[str | int, ...]) -> None:
        before, after = enum_values(old), enum_values(new)
        if before is None or after is None:
            return
        old_keys = {canonical(v): v for v in before}
        new_keys = {canonical(v): v for v in after}
        for key in old_keys.keys() - new_keys.keys():
            self._add("enum-value-removed", at, f"enum value {old_keys[key]!r} removed")
        for key in new_keys.keys() - old_keys.keys():
            self._add("enum-value-added", at, f"enum value {new_keys[key]!r} added")

    def _bounds(self, old: dict[str, Any], new: dict[str, Any], at: tuple[str | int, ...]) -> None:
        for name, keyword, upper in BOUNDS:
            before, after = bound(old, keyword), bound(new, keyword)
            if before == after:
                continue
            detail = f"{keyword} {before or 'none'} -> {after or 'none'}"
            if tighter(after, before, upper=upper):
                self._add(f"{name}-narrowed", at, detail)
            elif tighter(before, after, upper=upper):
                self._add(f"{name}-widened", at, detail)

    def _strings(self, old: dict[str, Any], new: dict[str, Any], at: tuple[str | int, ...]) -> None:
        old_format, new_format = old.get("format"), new.get("format")
        if old_format != new_format:
            # a request loses nothing when a format goes; a response reader may parse it
            if self.direction == "response" and old_format is not None:
                self._add("format-changed", at, f"format {old_format} -> {new_format or 'none'}")
            elif self.direction == "request" and new_format is not None:
                self._add("format-changed", at, f"format {old_format or 'none'} -> {new_format}")
        if self.direction == "request":
            if new.get("pattern") is not None and old.get("pattern") != new.get("pattern"):
                self._add(
                    "pattern-changed", at, f"pattern {old.get('pattern')!r} -> {new['pattern']!r}"
                )
            if "default" in old and canonical(old.get("default")) != canonical(new.get("default")):
                self._add(
                    "default-changed", at, f"default {old['default']!r} -> {new.get('default')!r}"
                )

    def _properties(
        self, old: dict[str, Any], new: dict[str, Any], at: tuple[str | int, ...]
    ) -> None:
        old_props = {
            name: schema
            for name, schema in (old.get("properties") or {}).items()
            if property_visible(schema, self.direction)
        }
        new_props = {
            name: schema
            for name, schema in (new.get("properties") or {}).items()
            if property_visible(schema, self.direction)
        }
        old_required, new_required = set(old.get("required") or []), set(new.get("required") or [])
        for name in sorted(old_props.keys() - new_props.keys()):
            self._add("property-removed", (*at, "properties", name), f"property `{name}` removed")
        for name in sorted(new_props.keys() - old_props.keys()):
            where = (*at, "properties", name)
            if self.direction == "request" and name in new_required:
                self._add("property-added-required", where, f"required property `{name}` added")
            else:
                self._add("property-added", where, f"property `{name}` added")
        for name in sorted(old_props.keys() & new_props.keys()):
            where = (*at, "properties", name)
            if name in new_required and name not in old_required:
                self._add("property-became-required", where, f"property `{name}` became required")
            elif name in old_required and name not in new_required:
                self._add("property-became-optional", where, f"property `{name}` became optional")
            old_schema, new_schema = old_props[name], new_props[name]
            if (
                isinstance(new_schema, dict)
                and new_schema.get("deprecated") is True
                and not (isinstance(old_schema, dict) and old_schema.get("deprecated") is True)
            ):
                self._add("property-deprecated", where, f"property `{name}` deprecated")
            self.compare(old_schema, new_schema, where)

    def _variants(
        self, old: dict[str, Any], new: dict[str, Any], at: tuple[str | int, ...]
    ) -> None:
        for keyword in ("oneOf", "anyOf"):
            before, after = old.get(keyword), new.get(keyword)
            if not isinstance(before, list) or not isinstance(after, list):
                continue
            if len(before) == len(after):  # same alternatives, possibly edited: pair them up
                for index, (a, b) in enumerate(zip(before, after, strict=True)):
                    self.compare(a, b, (*at, keyword, index))
                continue
            old_count = Counter(canonical(v) for v in before)
            new_count = Counter(canonical(v) for v in after)
            for index, variant in enumerate(before):
                if old_count[canonical(variant)] > new_count[canonical(variant)]:
                    self._add(
                        "variant-removed",
                        (*at, keyword, index),
                        f"{keyword} alternative {index} removed",
                    )
            for index, variant in enumerate(after):
                if new_count[canonical(variant)] > old_count[canonical(variant)]:
                    self._add(
                        "variant-added",
                        (*at, keyword, index),
                        f"{keyword} alternative {index} added",
                    )
