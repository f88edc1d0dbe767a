"""The requirements catalog the suite reports against (``specs/requirements/<version>.yaml``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from refarch.specs import load_requirements

__all__ = ["Requirement", "RequirementCatalog"]


@dataclass(frozen=True)
class Requirement:
    id: str
    title: str
    statement: str
    operations: tuple[str, ...]
    owasp: tuple[str, ...]
    severity: str


class RequirementCatalog:
    """Requirements of one spec version, in catalog order, looked up by id."""

    def __init__(self, requirements: list[Requirement]) -> None:
        self._by_id = {requirement.id: requirement for requirement in requirements}

    @classmethod
    def load(cls, version: str) -> RequirementCatalog:
        return cls(
            [
                Requirement(
                    id=str(entry["id"]),
                    title=str(entry.get("title", "")),
                    statement=str(entry.get("statement", "")),
                    operations=tuple(entry.get("operations") or ()),
                    owasp=tuple(entry.get("owasp") or ()),
                    severity=str(entry.get("severity", "must")),
                )
                for entry in load_requirements(version)
            ]
        )

    def __contains__(self, requirement_id: object) -> bool:
        return requirement_id in self._by_id

    def __iter__(self) -> Iterator[Requirement]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, requirement_id: str) -> Requirement:
        return self._by_id[requirement_id]

    def unknown(self, requirement_ids: tuple[str, ...] | list[str]) -> list[str]:
        return [rid for rid in requirement_ids if rid not in self._by_id]
