"""Who promises what: requirements from the catalog, and the tests that claim to verify them.

The requirement catalog (``specs/requirements/<version>.yaml``) binds rules to operations;
the conformance suite tags tests with ``@pytest.mark.requirement("ORD-004")``. Tests are
found by reading the suite's source (``ast``, never importing it: importing would pull in
Schemathesis and its plugins just to build docs).
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from refarch.specs import load_requirements

__all__ = [
    "OWASP_API_TOP10_2023",
    "Requirement",
    "RequirementCatalog",
    "TestReference",
    "find_requirement_tests",
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
class TestReference:
    """``conformance/test_orders.py::test_ord_004_concurrent_orders_never_oversell``."""

    __test__ = False  # not a pytest class, despite the name

    path: str  # relative to the repository root, forward slashes
    name: str  # the test function, or ``<module>`` for a module-wide ``pytestmark``

    def __str__(self) -> str:
        return f"{self.path}::{self.name}" if self.name != "<module>" else self.path


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


class _MarkerCollector(ast.NodeVisitor):
    """Records every ``….requirement("ID", …)`` call with the test function around it."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.scope: list[str] = []
        self.found: list[tuple[str, TestReference]] = []

    def _visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_FunctionDef = _visit_function
    visit_AsyncFunctionDef = _visit_function

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name == "requirement":
            where = "::".join(self.scope) or "<module>"
            for arg in node.args:
                value = arg.value if isinstance(arg, ast.Constant) else None
                if isinstance(value, str) and REQUIREMENT_ID.match(value):
                    self.found.append((value, TestReference(self.path, where)))
        self.generic_visit(node)


def find_requirement_tests(suite_dir: Path, repo_root: Path) -> dict[str, list[TestReference]]:
    """Requirement id -> tests tagged with it, for every ``*.py`` under ``suite_dir``."""
    tests: dict[str, list[TestReference]] = defaultdict(list)
    if not suite_dir.is_dir():
        return {}
    for source in sorted(suite_dir.rglob("*.py")):
        relative = source.relative_to(repo_root).as_posix()
        try:
            tree = ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
        except SyntaxError:
            # a half-written test file must not break the docs build; it simply claims nothing
            continue
        collector = _MarkerCollector(relative)
        collector.visit(tree)
        for requirement_id, reference in collector.found:
            if reference not in tests[requirement_id]:
                tests[requirement_id].append(reference)
    return dict(tests)


def load_catalog(version: str, repo_root: Path, specs: Path | None = None) -> RequirementCatalog:
    requirements = [_requirement(entry) for entry in load_requirements(version, specs)]
    tests = find_requirement_tests(repo_root / "conformance", repo_root)
    return RequirementCatalog(version=version, requirements=requirements, tests=tests)
