"""A requirements catalog that extends another one states only what differs from it.

``specs/requirements/v2.yaml`` says ``extends: v1`` and lists what v2 changes: ``replace``
(the same id restated for v2: same meaning, new wording or operations), ``remove`` (an id
that does not hold in v2, mapped to the reason) and ``requirements`` (ids new in v2). The
effective v2 catalog is v1's rules, with the replacements, without the removals, plus the
additions. Copying v1 instead would drift: every id later added to v1 would silently be
missing from v2, although an id means the same rule in every version.

Resolution works on parsed YAML (plain mappings) and remembers where each entry was written
(file and YAML pointer), so the spec checks can report a problem at its line in whichever
file holds it, and the typed model in ``refarch.requirements`` reads the same result.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["CatalogError", "CatalogReader", "PlacedEntry", "resolve_entries"]

#: Reads one version's catalog file: its path and its parsed YAML (OSError if missing).
CatalogReader = Callable[[str], tuple[Path, Any]]
Pointer = tuple[str | int, ...]


class CatalogError(ValueError):
    """A catalog that cannot be resolved; the message names the file and the id."""

    def __init__(self, path: Path, pointer: Pointer, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.pointer = pointer
        self.reason = message


@dataclass(frozen=True)
class PlacedEntry:
    """One requirement entry of the effective catalog and where it is written."""

    entry: Any  # a mapping when well-formed; the spec checks report anything else
    path: Path
    pointer: Pointer

    @property
    def id(self) -> str | None:
        rid = self.entry.get("id") if isinstance(self.entry, Mapping) else None
        return rid if isinstance(rid, str) else None


def _listed(path: Path, data: Mapping[str, Any], key: str) -> list[PlacedEntry]:
    items = data.get(key)
    if items is None:
        return []
    if not isinstance(items, list):
        raise CatalogError(path, (key,), f"`{key}` must be a list of requirements")
    return [PlacedEntry(item, path, (key, index)) for index, item in enumerate(items)]


def _removals(path: Path, data: Mapping[str, Any]) -> dict[str, str]:
    removals = data.get("remove")
    if removals is None:
        return {}
    if not isinstance(removals, Mapping) or not all(
        isinstance(reason, str) and reason.strip() for reason in removals.values()
    ):
        raise CatalogError(
            path, ("remove",), "`remove` must map each removed id to the reason it no longer holds"
        )
    return {str(rid): str(reason) for rid, reason in removals.items()}


def _insert_by_prefix(entries: list[PlacedEntry], added: PlacedEntry) -> None:
    """Put a new id after the last id of its range (ORD-018 after ORD-017), else at the end."""
    prefix = (added.id or "").split("-")[0] + "-"
    last = max(
        (i for i, placed in enumerate(entries) if (placed.id or "").startswith(prefix)),
        default=len(entries) - 1,
    )
    entries.insert(last + 1, added)


def resolve_entries(
    version: str, read: CatalogReader, _chain: tuple[str, ...] = ()
) -> list[PlacedEntry]:
    """The effective catalog of ``version``, following ``extends`` down to a plain catalog."""
    path, data = read(version)
    if not isinstance(data, Mapping):
        raise CatalogError(path, (), "a requirements catalog must be a mapping")
    if version in _chain:
        cycle = " -> ".join((*_chain, version))
        raise CatalogError(path, ("extends",), f"`extends` forms a cycle: {cycle}")
    own = _listed(path, data, "requirements")
    base_version = data.get("extends")
    if base_version is None:
        for key in ("replace", "remove"):
            if key in data:
                raise CatalogError(path, (key,), f"`{key}` needs `extends: <version>`")
        return own
    try:
        entries = resolve_entries(str(base_version), read, (*_chain, version))
    except OSError as exc:
        raise CatalogError(
            path, ("extends",), f"extends {base_version}, whose catalog cannot be read ({exc})"
        ) from exc
    index = {placed.id: position for position, placed in enumerate(entries) if placed.id}
    for placed in _listed(path, data, "replace"):
        if placed.id not in index:
            raise CatalogError(
                path,
                placed.pointer,
                f"replace names {placed.id}, which {base_version} does not have: "
                "add a new id under `requirements` instead",
            )
        entries[index[placed.id]] = placed
    removals = _removals(path, data)
    for rid in removals:
        if rid not in index:
            raise CatalogError(
                path, ("remove", rid), f"remove names {rid}, which {base_version} does not have"
            )
        if entries[index[rid]].path == path:
            raise CatalogError(path, ("remove", rid), f"{rid} is both replaced and removed")
    entries = [placed for placed in entries if placed.id not in removals]
    for placed in own:
        if placed.id in index:
            raise CatalogError(
                path,
                placed.pointer,
                f"{placed.id} is added, but {base_version} already has it: ids keep their "
                "meaning, so restate it under `replace` or give the new rule the next free id",
            )
        _insert_by_prefix(entries, placed)
    return entries
