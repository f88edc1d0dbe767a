"""Who promises what: requirements from the catalog, and the tests that claim to verify them.

The requirement catalog (``specs/requirements/<version>.yaml``) binds rules to operations;
the conformance suite tags tests with ``@pytest.mark.requirement("ORD-004")``. Tests are
found by reading the suite's source (``ast``, never importing it: importing would pull in
Schemathesis and its plugins just to build docs).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from refarch.requirements import REQUIREMENT_ID, RequirementCatalog

__all__ = ["TestReference", "TracedCatalog", "find_requirement_tests", "load_catalog"]


@dataclass(frozen=True)
class TestReference:
    """``conformance/test_orders.py::test_ord_004_concurrent_orders_never_oversell``."""

    __test__ = False  # not a pytest class, despite the name

    path: str  # relative to the repository root, forward slashes
    name: str  # the test function, or ``<module>`` for a module-wide ``pytestmark``

    def __str__(self) -> str:
        return f"{self.path}::{self.name}" if self.name != "<module>" else self.path


@dataclass(frozen=True)
class TracedCatalog(RequirementCatalog):
    """The catalog plus, per requirement id, the tests that claim to verify it."""

    tests: dict[str, list[TestReference]] = field(default_factory=dict)


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


def load_catalog(version: str, repo_root: Path, specs: Path | None = None) -> TracedCatalog:
    catalog = RequirementCatalog.load(version, specs)
    tests = find_requirement_tests(repo_root / "conformance", repo_root)
    return TracedCatalog(catalog.version, catalog.requirements, tests=tests)
