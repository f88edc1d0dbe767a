"""Who promises what: requirements from the catalog, and the tests that claim to verify them.

The requirement catalog (``specs/requirements/<version>.yaml``) binds rules to operations;
the conformance suite and the project's own tests tag tests with
``@pytest.mark.requirement("ORD-004")``; ``test_tags`` finds them by letting pytest collect.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from refarch.docsgen.test_tags import TestReference, collect_requirement_tests
from refarch.specs import load_requirements

__all__ = [
    "OWASP_API_TOP10_2023",
    "Requirement",
    "RequirementCatalog",
    "TestReference",
    "load_catalog",
]

REQUIREMENT_ID = re.compile(r"^[A-Z]+-\d{3,}$")

#: The OWASP API Security Top 10, 2023 edition.
OWASP_API_TOP10_2023: dict[str, str] = {
    "API1:2023": "Broken Object Level Authorization",
    "API2:2023": "Broken Authentication",
    "API3:2023": "Broken Object Property Level Authorization",
    "API4:2023": "Unrestricted Resource Consumption",
    "API5:2023": "Broken Function Level Authorization",
    "API6:2023": "Unrestricted Access to Sensitive Business Flows",
    "API7:2023": "Server Side Request Forgery",
    "API8:2023": "Security Misconfiguration",
    "API9:2023": "Improper Inventory Management",
    "API10:2023": "Unsafe Consumption of APIs",
}


@dataclass(frozen=True)
class Requirement:
    id: str
    title: str
    statement: str
    severity: str
    operations: tuple[str, ...]  # operationIds, or ("*",) for a cross-cutting rule
    owasp: tuple[str, ...]

    @property
    def cross_cutting(self) -> bool:
        return "*" in self.operations


@dataclass
class RequirementCatalog:
    version: str
    requirements: list[Requirement]
    tests: dict[str, list[TestReference]] = field(default_factory=dict)

    def for_operation(self, operation_id: str) -> list[Requirement]:
        """Requirements that name this operation explicitly (cross-cutting ones excluded)."""
        return [r for r in self.requirements if operation_id in r.operations]

    def for_owasp(self, owasp_id: str) -> list[Requirement]:
        return [r for r in self.requirements if owasp_id in r.owasp]

    @property
    def cross_cutting(self) -> list[Requirement]:
        return [r for r in self.requirements if r.cross_cutting]


def _requirement(entry: dict[str, Any]) -> Requirement:
    return Requirement(
        id=str(entry["id"]),
        title=str(entry.get("title", "")),
        statement=str(entry.get("statement", "")),
        severity=str(entry.get("severity", "must")),
        operations=tuple(entry.get("operations") or ()),
        owasp=tuple(entry.get("owasp") or ()),
    )


def load_catalog(version: str, repo_root: Path, specs: Path | None = None) -> RequirementCatalog:
    requirements = [_requirement(entry) for entry in load_requirements(version, specs)]
    tests = collect_requirement_tests(repo_root)
    return RequirementCatalog(version=version, requirements=requirements, tests=tests)
