"""A diff run's result and its three renderings: terminal table, Markdown, JSON."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from refarch.spec_diff.catalog import Severity
from refarch.spec_diff.changes import Change
from refarch.spec_diff.document import OpenApiDocument

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


def _table(results: list[PairResult]) -> str:
    lines: list[str] = []
    for result in results:
        lines.append(f"{result.title()}: {result.summary()}")
        rows = [
            (
                c.severity.value,
                c.rule_id,
                c.operation or "-",
                c.detail,
                c.location,
                c.rule.explanation,
            )
            for c in result.ordered()
        ]
        if not rows:
            lines.append("  no changes")
        widths = [max(len(row[i]) for row in rows) for i in range(3)] if rows else []
        for severity, rule, operation, detail, location, explanation in rows:
            lines.append(
                f"  {severity:<{widths[0]}}  {rule:<{widths[1]}}  {operation:<{widths[2]}}  {detail}"
            )
            lines.append(f"  {'':<{widths[0]}}  at {location}: {explanation}")
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
        for change in result.ordered():
            lines.append(
                f"| {change.severity.value} | `{change.rule_id}` | {_cell(change.operation or '-')} "
                f"| {_cell(change.detail)}<br>`{_cell(change.location)}` "
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
