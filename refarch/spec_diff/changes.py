"""One reported change: a catalog rule, where it happened and what exactly changed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from refarch.spec_diff.catalog import RULES, Rule, Severity

__all__ = ["Change", "pointer"]


def pointer(*parts: str | int) -> str:
    """A JSON pointer (RFC 6901) from unescaped parts: ``/paths/~1orders/get``."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


@dataclass(frozen=True, order=True)
class Change:
    operation: str  # "POST /orders", or "" for document-wide changes
    location: str  # JSON pointer into the (resolved) new document, else the old one
    rule_id: str
    detail: str  # what changed, e.g. "maxLength 200 -> 100"

    def __post_init__(self) -> None:
        if self.rule_id not in RULES:  # a typo here would publish an id nobody documented
            raise ValueError(f"unknown rule id {self.rule_id!r}")

    @property
    def rule(self) -> Rule:
        return RULES[self.rule_id]

    @property
    def severity(self) -> Severity:
        return self.rule.severity

    def as_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule_id,
            "severity": self.severity.value,
            "operation": self.operation,
            "location": self.location,
            "detail": self.detail,
            "explanation": self.rule.explanation,
        }
