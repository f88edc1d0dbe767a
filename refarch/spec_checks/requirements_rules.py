"""Phase 3: the requirements catalog (REQ0xx) names real operations and covers all of them.

The conformance suite tags its tests and the docs render pages by these ids, so an id that
changes shape, repeats, or points at an operation that does not exist breaks both silently.

Coverage counts only requirements that name an operation: ``operations: ["*"]`` marks a
cross-cutting rule (problem+json everywhere, security headers), and letting it cover every
operation would make the coverage rule unable to ever notice a new, unspecified operation.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from refarch.requirement_delta import CatalogError, PlacedEntry, resolve_entries
from refarch.requirements import (
    COVERS_ALL,
    OWASP_API_TOP10_2023,
    OWASP_ID,
    REQUIREMENT_ID,
    SEVERITIES,
)
from refarch.spec_checks.findings import Finding
from refarch.spec_checks.layout import SpecLayout
from refarch.spec_checks.openapi_model import OperationSite, iter_operations
from refarch.spec_checks.yaml_source import SourceCache, YamlSource, YamlSourceError

__all__ = ["RULES", "check_requirements", "resolved_catalog"]

Pointer = tuple[str | int, ...]

RULES: dict[str, str] = {
    "REQ001": "the catalog exists and is a mapping with a `requirements` list of mappings",
    "REQ002": "requirement ids look like ABC-123",
    "REQ003": "requirement ids are unique",
    "REQ004": "every requirement has title, statement, operations and severity",
    "REQ005": "every referenced operationId exists in a service document",
    "REQ006": 'every operation is named by at least one requirement ("*" does not count)',
    "REQ007": "OWASP ids look like API1:2023 .. API10:2023",
    "REQ008": "every OWASP API Top 10 2023 category is covered",
    "REQ009": "severity is must or should",
    "REQ010": "a catalog that extends another resolves: no cycle, replace/remove name "
    "known ids, added ids are new",
}


def _at(
    source: YamlSource, pointer: tuple[str | int, ...], rule: str, msg: str, hint: str
) -> Finding:
    line, col = source.position(pointer)
    return Finding(source.path, line, col, rule, msg, hint)


def _catalog(layout: SpecLayout, cache: SourceCache) -> tuple[YamlSource | None, list[Finding]]:
    path = layout.requirements_path
    hint = "create it as `requirements: [{id: ABC-001, title, statement, operations, severity}]`"
    if not path.is_file():
        return None, [Finding(path, 0, 0, "REQ001", "the requirements catalog is missing", hint)]
    try:
        source = cache.load(path)
    except YamlSourceError as exc:
        return None, [Finding(path, exc.line, exc.col, "REQ001", exc.message, hint)]
    data = source.data if isinstance(source.data, dict) else {}
    entries = data.get("requirements", [] if "extends" in data else None)
    if not isinstance(entries, list):
        return None, [_at(source, (), "REQ001", "no `requirements` list", hint)]
    return source, []


def _text(entry: dict[str, Any], key: str) -> bool:
    value = entry.get(key)
    return isinstance(value, str) and bool(value.strip())


def _entry_rules(source: YamlSource, here: Pointer, entry: Any) -> Iterator[Finding]:
    if not isinstance(entry, dict):
        yield _at(source, here, "REQ001", "a requirement must be a mapping", "write `- id: ...`")
        return
    rid = entry.get("id")
    if not (isinstance(rid, str) and REQUIREMENT_ID.match(rid)):
        yield _at(
            source,
            (*here, "id") if "id" in entry else here,
            "REQ002",
            f"requirement id {rid!r} is not PREFIX-NNN",
            "use 2-5 capital letters, a hyphen and three digits, e.g. ORD-004",
        )
    name = rid if isinstance(rid, str) else f"entry {int(here[-1]) + 1}"
    for key in ("title", "statement", "severity"):
        if not _text(entry, key):
            yield _at(source, here, "REQ004", f"{name}: no {key}", f"add a non-empty `{key}`")
    ops = entry.get("operations")
    if not (isinstance(ops, list) and ops and all(isinstance(op, str) and op for op in ops)):
        yield _at(
            source,
            (*here, "operations") if "operations" in entry else here,
            "REQ004",
            f"{name}: `operations` must be a non-empty list of operationIds",
            'list the operationIds it applies to, or ["*"] for a cross-cutting rule',
        )
    severity = entry.get("severity")
    if _text(entry, "severity") and severity not in SEVERITIES:
        yield _at(
            source,
            (*here, "severity"),
            "REQ009",
            f"{name}: severity {severity!r} is not one of {', '.join(SEVERITIES)}",
            "use `severity: must` for a hard rule, `should` for a recommendation",
        )
    owasp = entry.get("owasp", [])
    for position, owasp_id in enumerate(owasp if isinstance(owasp, list) else [owasp]):
        if not (isinstance(owasp_id, str) and OWASP_ID.match(owasp_id)):
            yield _at(
                source,
                (*here, "owasp", position) if isinstance(owasp, list) else (*here, "owasp"),
                "REQ007",
                f"{name}: OWASP id {owasp_id!r} is not API1:2023 .. API10:2023",
                "use the 2023 edition's ids, e.g. `owasp: [API1:2023]`",
            )


def _operations(layout: SpecLayout, cache: SourceCache) -> dict[str, OperationSite]:
    found: dict[str, OperationSite] = {}
    for service, path in layout.service_documents().items():
        try:
            source = cache.load(path)
        except YamlSourceError:
            continue  # reported by the validity phase
        if isinstance(source.data, dict):
            for op in iter_operations(service, source, cache):
                if op.operation_id:
                    found.setdefault(op.operation_id, op)
    return found


def _duplicate_ids(cache: SourceCache, entries: list[PlacedEntry]) -> Iterator[Finding]:
    first: dict[str, PlacedEntry] = {}
    for placed in entries:
        rid = placed.id
        if rid is None:
            continue
        if rid in first:
            earlier = first[rid]
            line, _ = cache.load(earlier.path).position(earlier.pointer)
            yield _at(
                cache.load(placed.path),
                (*placed.pointer, "id"),
                "REQ003",
                f"requirement id {rid} is also used at {earlier.path.name} line {line}",
                "ids are stable references: give the new requirement the next free id",
            )
        first.setdefault(rid, placed)


def _operation_coverage(
    cache: SourceCache,
    entries: list[PlacedEntry],
    operations: dict[str, OperationSite],
    version: str,
) -> Iterator[Finding]:
    covered: set[str] = set()
    for placed in entries:
        entry = placed.entry
        ops = entry.get("operations") if isinstance(entry, dict) else None
        for position, op_id in enumerate(ops if isinstance(ops, list) else []):
            if op_id == COVERS_ALL:
                continue  # a cross-cutting rule: valid, but it says nothing specific to cover
            elif isinstance(op_id, str) and op_id in operations:
                covered.add(op_id)
            elif isinstance(op_id, str):
                yield _at(
                    cache.load(placed.path),
                    (*placed.pointer, "operations", position),
                    "REQ005",
                    f"{entry.get('id')}: unknown operationId {op_id!r} in {version}",
                    f"use an operationId of a {version} service document (case-sensitive); "
                    "a rule inherited from an older version is replaced or removed in the "
                    f"{version} catalog",
                )
    for op_id, op in operations.items():
        if op_id not in covered:
            yield op.finding(
                ("operationId",),
                "REQ006",
                'not named by any requirement ("*" rules are cross-cutting and do not count)',
                f"list {op_id} under `operations` of a requirement in requirements/{version}.yaml",
            )


def _owasp_coverage(source: YamlSource, entries: list[PlacedEntry]) -> Iterator[Finding]:
    covered = {
        owasp_id
        for placed in entries
        if isinstance(placed.entry, dict) and isinstance(placed.entry.get("owasp"), list)
        for owasp_id in placed.entry["owasp"]
    }
    for category in OWASP_API_TOP10_2023:
        if category not in covered:
            yield Finding(
                source.path,
                0,
                0,
                "REQ008",
                f"OWASP API Top 10 2023 category {category} is not covered",
                f"add `owasp: [{category}]` to the requirement that addresses it",
            )


def resolved_catalog(
    layout: SpecLayout, cache: SourceCache
) -> tuple[list[PlacedEntry] | None, list[Finding]]:
    """The effective catalog (an ``extends`` chain resolved), each entry with its file."""

    def read(version: str) -> tuple[Path, Any]:
        path = layout.root / "requirements" / f"{version}.yaml"
        if not path.is_file():
            raise OSError(f"{path} does not exist")
        try:
            return path, cache.load(path).data
        except YamlSourceError as exc:
            raise OSError(exc.message) from exc

    try:
        return resolve_entries(layout.version, read), []
    except CatalogError as exc:
        source = cache.load(exc.path)
        hint = "see the header of the catalog for extends/replace/remove"
        return None, [_at(source, exc.pointer, "REQ010", exc.reason, hint)]


def check_requirements(layout: SpecLayout, cache: SourceCache) -> list[Finding]:
    source, findings = _catalog(layout, cache)
    if source is None:
        return findings
    entries, findings = resolved_catalog(layout, cache)
    if entries is None:
        return findings
    for placed in entries:
        findings.extend(_entry_rules(cache.load(placed.path), placed.pointer, placed.entry))
    findings.extend(_duplicate_ids(cache, entries))
    findings.extend(_operation_coverage(cache, entries, _operations(layout, cache), layout.version))
    findings.extend(_owasp_coverage(source, entries))
    return findings
