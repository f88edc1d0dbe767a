"""The requirements catalog (``specs/requirements/<version>.yaml``) as typed objects.

The one model of a requirement: the conformance suite reports against it, the docs render
it, and the spec checks validate the catalog's YAML against the same id pattern, OWASP
list and severities defined here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from refarch.requirement_delta import CatalogError
from refarch.specs import load_requirements, load_requirements_delta

__all__ = [
    "COVERS_ALL",
    "OWASP_API_TOP10_2023",
    "OWASP_ID",
    "REQUIREMENT_ID",
    "SEVERITIES",
    "VERSION_PLACEHOLDER",
    "CatalogError",
    "Requirement",
    "RequirementCatalog",
]

#: 2-5 capital letters, a hyphen and three digits, e.g. ``ORD-004``.
REQUIREMENT_ID = re.compile(r"^[A-Z]{2,5}-\d{3}$")
OWASP_ID = re.compile(r"^API(?:[1-9]|10):2023$")
SEVERITIES = ("must", "should")
#: Written in a statement where the rule names its own version, e.g. ``/api/{version}/users``.
VERSION_PLACEHOLDER = "{version}"
#: ``operations: ["*"]``: a cross-cutting rule that holds for every operation.
COVERS_ALL = "*"

#: The OWASP API Security Top 10, 2023 edition: every category needs a requirement.
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
    severity: str = "must"
    operations: tuple[str, ...] = ()  # operationIds, or ("*",) for a cross-cutting rule
    owasp: tuple[str, ...] = ()

    @property
    def cross_cutting(self) -> bool:
        return COVERS_ALL in self.operations

    def for_version(self, version: str) -> Requirement:
        """The rule as it reads in one version: a rule inherited by a later version keeps its
        id and meaning, and ``/api/{version}/users`` names that version's own path."""
        return replace(
            self,
            title=self.title.replace(VERSION_PLACEHOLDER, version),
            statement=self.statement.replace(VERSION_PLACEHOLDER, version),
        )

    @classmethod
    def from_entry(cls, entry: Mapping[str, Any]) -> Requirement:
        """One catalog entry; the spec checks (rules REQ001-REQ009) judge its shape."""
        return cls(
            id=str(entry["id"]),
            title=str(entry.get("title", "")),
            statement=str(entry.get("statement", "")),
            severity=str(entry.get("severity", "must")),
            operations=tuple(str(op) for op in entry.get("operations") or ()),
            owasp=tuple(str(owasp_id) for owasp_id in entry.get("owasp") or ()),
        )


@dataclass(frozen=True)
class RequirementCatalog:
    """The requirements of one spec version, in catalog order, looked up by id."""

    version: str
    requirements: tuple[Requirement, ...]
    #: The version this catalog's file extends (None: the file lists every rule itself).
    extends: str | None = None
    #: Ids of the extended version that do not hold in this one, with the reason.
    removed: tuple[tuple[str, str], ...] = ()

    @classmethod
    def load(cls, version: str = "v1", root: Path | None = None) -> RequirementCatalog:
        """The effective catalog of ``version`` (one that ``extends`` another is resolved),
        with ``{version}`` in titles and statements written as this version."""
        entries = load_requirements(version, root)
        requirements = (Requirement.from_entry(entry) for entry in entries)
        extends, removed = load_requirements_delta(version, root)
        return cls(
            version,
            tuple(requirement.for_version(version) for requirement in requirements),
            extends,
            tuple(removed.items()),
        )

    def __iter__(self) -> Iterator[Requirement]:
        return iter(self.requirements)

    def __len__(self) -> int:
        return len(self.requirements)

    def __contains__(self, requirement_id: object) -> bool:
        return any(requirement.id == requirement_id for requirement in self.requirements)

    def get(self, requirement_id: str) -> Requirement:
        """The requirement with this id; KeyError when the catalog has none."""
        for requirement in self.requirements:
            if requirement.id == requirement_id:
                return requirement
        raise KeyError(requirement_id)

    def unknown(self, requirement_ids: tuple[str, ...] | list[str]) -> list[str]:
        """The ids that name no requirement of this catalog, in the order given."""
        known = {requirement.id for requirement in self.requirements}
        return [rid for rid in requirement_ids if rid not in known]

    def for_operation(self, operation_id: str) -> list[Requirement]:
        """Requirements that name this operation explicitly (cross-cutting ones excluded)."""
        return [r for r in self.requirements if operation_id in r.operations]

    def for_owasp(self, owasp_id: str) -> list[Requirement]:
        return [r for r in self.requirements if owasp_id in r.owasp]

    @property
    def cross_cutting(self) -> list[Requirement]:
        return [r for r in self.requirements if r.cross_cutting]
