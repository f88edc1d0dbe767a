"""A diff run's result and its three renderings: terminal table, Markdown, JSON."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from refarch.spec_diff.catalog import Severity
from refarch.spec_diff.changes import Change, pointer
from refarch.spec_diff.document import OpenApiDocument
from refarch.spec_diff.operations_diff import diff_documents

__all__ = ["PairResult", "major_version", "render"]

_VERSION_IN_NAME = re.compile(r"(?:^|[^a-z0-9])v(\d+)(?:[^0-9]|$)", re.IGNORECASE)
_ORDER = (Severity.BREAKING, Severity.DEPRECATION, Severity.NON_BREAKING)


def major_version(document: OpenApiDocument) -> str | None:
    """``info.version``'s first number (``2.1.0`` -> ``2``), else a ``vN`` in the file name."""
    leading = re.match(r"\s*v?(\d+)", document.api_version)
    if leading:
        return leading.group(1)
    named = _VERSION_IN_NAME.search(document.source)
    return named.group(1) if named else None


@dataclass(frozen=True)
class PairResult:
    old: str
    new: str
    old_major: str | None
    new_major: str | None
    changes: tuple[Change, ...]

    @property
    def same_major(self) -> bool:
        """Unknown majors count as the same: the gate errs on the side of stopping a break."""
        return self.old_major is None or self.new_major is None or self.old_major == self.new_major

    @classmethod
    def compare(cls, old: OpenApiDocument, new: OpenApiDocument) -> PairResult:
        changes = tuple(diff_documents(old, new))
        return cls(old.source, new.source, major_version(old), major_version(new), changes)

    def counts(self) -> Counter[Severity]:
        return Counter(change.severity for change in self.changes)

    def ordered(self) -> list[Change]:
        return sorted(self.changes, key=lambda c: (_ORDER.index(c.severity), c))

    def title(self) -> str:
        return self.old if self.old == self.new else f"{self.old} -> {self.new}"

    def summary(self) -> str:
        counts = self.counts()
        text = ", ".join(f"{counts[s]} {s.value}" for s in _ORDER)
        if not self.same_major:
            text += (
                f" (major version {self.old_major} -> {self.new_major}: breaking changes expected)"
            )
        return text


@dataclass(frozen=True)
class _Row:
    """Changes alike but for their operation (a shared schema edited once shows up under
    every operation using it): one row listing the operations."""

    change: Change
    where: str  # the location below the operation, or the whole pointer
    operations: tuple[str, ...]

    def operations_text(self, shown: int = 3) -> str:
        if not self.operations:
            return "-"
        more = len(self.operations) - shown
        listed = ", ".join(self.operations[:shown])
        return f"{listed} (+{more} more)" if more > 0 else listed


def _operation_prefix(operation: str) -> str:
    method, _, path = operation.partition(" ")
    return pointer("paths", path, method.lower()) if path else ""


_STATUS = re.compile(r"^/responses/([^/]+)(?=/)")


def _rows(result: PairResult) -> list[_Row]:
    grouped: dict[tuple[str, str, str], list[tuple[Change, str]]] = {}
    for change in result.ordered():
        prefix = _operation_prefix(change.operation)
        where = change.location[len(prefix) :] if prefix else change.location
        if change.rule_id.startswith("operation-") or not where:
            where = change.location  # an operation-wide change: the row is the operation
        status = _STATUS.match(where)
        key_where = _STATUS.sub("/responses/{}", where) if status else where
        grouped.setdefault((change.rule_id, change.detail, key_where), []).append(
            (change, status.group(1) if status else "")
        )
    rows = []
    for (_, _, where), members in grouped.items():
        statuses = sorted({status for _, status in members if status})
        if statuses:  # the same schema change under several responses: name them once
            where = where.replace(
                "{}", statuses[0] if len(statuses) == 1 else "{" + ",".join(statuses) + "}", 1
            )
        operations = tuple(dict.fromkeys(c.operation for c, _ in members if c.operation))
        rows.append(_Row(members[0][0], where, operations))
    return rows


def _table(results: list[PairResult]) -> str:
    lines: list[str] = []
    for result in results:
        lines.append(f"{result.title()}: {result.summary()}")
        rows = _rows(result)
        if not rows:
            lines.append("  no changes")
        severity_width = max((len(r.change.severity.value) for r in rows), default=0)
        rule_width = max((len(r.change.rule_id) for r in rows), default=0)
        for row in rows:
            change = row.change
            lines.append(
                f"  {change.severity.value:<{severity_width}}  {change.rule_id:<{rule_width}}  "
                f"{row.operations_text()}: {_short(change.detail)}"
            )
            lines.append(f"  {'':<{severity_width}}  at {row.where}: {change.rule.explanation}")
        lines.append("")
    return "\n".join(lines)


def _short(text: str, limit: int = 120) -> str:
    """Details quote patterns and values that can be long; JSON keeps them whole."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cell(text: str) -> str:
    return _short(text).replace("|", "\\|").replace("\n", " ")


def _markdown(results: list[PairResult]) -> str:
    lines = ["## API changes", ""]
    for result in results:
        lines += [f"### `{result.title()}`", "", result.summary(), ""]
        if not result.changes:
            lines += ["No changes.", ""]
            continue
        lines += [
            "| severity | rule | operation | change | who breaks and how |",
            "|---|---|---|---|---|",
        ]
        for row in _rows(result):
            change = row.change
            lines.append(
                f"| {change.severity.value} | `{change.rule_id}` | {_cell(row.operations_text())} "
                f"| {_cell(change.detail)}<br>`{_cell(row.where)}` "
                f"| {_cell(change.rule.explanation)} |"
            )
        lines.append("")
    return "\n".join(lines)


def _json(results: list[PairResult]) -> str:
    document: dict[str, Any] = {
        "pairs": [
            {
                "old": r.old,
                "new": r.new,
                "old_major": r.old_major,
                "new_major": r.new_major,
                "same_major": r.same_major,
                "counts": {s.value: r.counts()[s] for s in _ORDER},
                "changes": [c.as_json() for c in r.ordered()],
            }
            for r in results
        ]
    }
    return json.dumps(document, indent=2)


def render(results: list[PairResult], output_format: str) -> str:
    renderers = {"table": _table, "markdown": _markdown, "json": _json}
    return renderers[output_format](results)
