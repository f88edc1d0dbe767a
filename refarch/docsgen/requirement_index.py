"""Who promises what: requirements from the catalog, and the tests that claim to verify them.

The requirement catalog (``specs/requirements/<version>.yaml``) binds rules to operations;
the conformance suite and the project's own tests tag tests with
``@pytest.mark.requirement("ORD-004")``; ``test_tags`` finds them by letting pytest collect.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from refarch.docsgen.test_tags import TestReference, collect_requirement_tests
from refarch.requirements import RequirementCatalog

__all__ = ["TestReference", "TracedCatalog", "load_catalog"]


@dataclass(frozen=True)
class TracedCatalog(RequirementCatalog):
    """The catalog plus, per requirement id, the tests that claim to verify it."""

    tests: dict[str, list[TestReference]] = field(default_factory=dict)


def load_catalog(version: str, repo_root: Path, specs: Path | None = None) -> TracedCatalog:
    catalog = RequirementCatalog.load(version, specs)
    tests = collect_requirement_tests(repo_root)
    return TracedCatalog(
        catalog.version, catalog.requirements, catalog.extends, catalog.removed, tests=tests
    )
