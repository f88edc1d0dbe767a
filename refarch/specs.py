"""Locate and load the versioned specs: OpenAPI documents, SQL migrations, requirements.

Every other part of refarch reads the specs through this module, so the answer to
"where are the specs?" lives in exactly one place: ``REFARCH_SPECS_DIR`` if set, else
``refarch/_specs`` — a link to the checkout's ``specs/`` folder, and a real copy inside an
installed wheel.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from refarch.requirement_delta import resolve_entries

__all__ = [
    "SERVICES",
    "Operation",
    "asyncapi_path",
    "asyncapi_version_for",
    "load_asyncapi",
    "load_openapi",
    "load_requirements",
    "load_requirements_delta",
    "operations",
    "spec_path",
    "specs_root",
    "versions",
]

#: Services in the order their migrations are applied and their docs are listed.
SERVICES: tuple[str, ...] = (
    "operations",
    "users",
    "catalog",
    "orders",
    "notifications",
    "analytics",
)
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def specs_root() -> Path:
    override = os.environ.get("REFARCH_SPECS_DIR")
    if override:
        return Path(override)
    return (Path(__file__).parent / "_specs").resolve()


def versions(root: Path | None = None) -> list[str]:
    """Major versions that have a requirements catalog, e.g. ``["v1"]``."""
    root = root or specs_root()
    return sorted(p.stem for p in (root / "requirements").glob("v*.yaml"))


def spec_path(service: str, version: str = "v1", root: Path | None = None) -> Path:
    return (root or specs_root()) / "openapi" / service / f"{version}.yaml"


def _read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _resolve(node: Any, base: Path, cache: dict[Path, Any], seen: tuple[str, ...]) -> Any:
    """Inline every ``$ref`` (local or to another file) so callers get one plain document."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            file_part, _, pointer = ref.partition("#")
            target_file = (base.parent / file_part).resolve() if file_part else base
            key = f"{target_file}#{pointer}"
            if key in seen:
                raise ValueError(f"circular $ref {ref} in {base}")
            if target_file not in cache:
                cache[target_file] = _read_yaml(target_file)
            target = cache[target_file]
            for part in filter(None, pointer.split("/")):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            resolved = _resolve(target, target_file, cache, (*seen, key))
            siblings = {k: _resolve(v, base, cache, seen) for k, v in node.items() if k != "$ref"}
            return {**resolved, **siblings} if siblings else resolved
        return {k: _resolve(v, base, cache, seen) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(v, base, cache, seen) for v in node]
    return node


@functools.cache
def _load_resolved(path: Path) -> dict[str, Any]:
    cache: dict[Path, Any] = {path.resolve(): _read_yaml(path)}
    resolved: dict[str, Any] = _resolve(cache[path.resolve()], path.resolve(), cache, ())
    return resolved


def load_openapi(
    service: str, version: str = "v1", *, resolve: bool = True, root: Path | None = None
) -> dict[str, Any]:
    """The service's OpenAPI document; with ``resolve`` every ``$ref`` is inlined.

    The resolved document is cached and shared: treat it as read-only.
    """
    path = spec_path(service, version, root)
    if not path.is_file():
        raise FileNotFoundError(f"no spec for service {service!r} version {version!r} at {path}")
    return _load_resolved(path) if resolve else _read_yaml(path)


def asyncapi_path(version: str = "v1", root: Path | None = None) -> Path:
    return (root or specs_root()) / "asyncapi" / f"{version}.yaml"


def asyncapi_version_for(api_version: str, root: Path | None = None) -> str:
    """The event contract a server of HTTP API ``api_version`` publishes by.

    The events are versioned apart from the HTTP API: a new API major version does not
    change them (every event carries its own ``schema_version``), so the contract is the
    AsyncAPI document of the same major version, or else the newest earlier one — /api/v2
    publishes the events of ``asyncapi/v1.yaml`` until a ``v2.yaml`` exists."""
    folder = (root or specs_root()) / "asyncapi"
    wanted = _major(api_version)
    documents = sorted(
        (major, path.stem)
        for path in folder.glob("v*.yaml")
        if (major := _major(path.stem)) is not None and wanted is not None and major <= wanted
    )
    if not documents:
        raise FileNotFoundError(
            f"no AsyncAPI document for API version {api_version!r} or an earlier one under {folder}"
        )
    return documents[-1][1]


def _major(version: str) -> int | None:
    digits = version.removeprefix("v")
    return int(digits) if digits.isdigit() else None


def load_asyncapi(
    version: str = "v1", *, root: Path | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The AsyncAPI document of the domain events: as written, and with every $ref inlined."""
    path = asyncapi_path(version, root)
    if not path.is_file():
        raise FileNotFoundError(f"no AsyncAPI document for version {version!r} at {path}")
    return _read_yaml(path), _load_resolved(path)


def load_requirements(version: str = "v1", root: Path | None = None) -> list[dict[str, Any]]:
    """The effective catalog entries of ``version``: a catalog that ``extends`` another is
    resolved against it (``refarch.requirement_delta``); CatalogError when it cannot be."""
    folder = (root or specs_root()) / "requirements"

    def read(name: str) -> tuple[Path, Any]:
        path = folder / f"{name}.yaml"
        return path, _read_yaml(path)

    return [dict(placed.entry) for placed in resolve_entries(version, read)]


def load_requirements_delta(
    version: str = "v1", root: Path | None = None
) -> tuple[str | None, dict[str, str]]:
    """The version a catalog extends (None for a plain one) and the ids it removes, with why."""
    data = _read_yaml((root or specs_root()) / "requirements" / f"{version}.yaml")
    extends = data.get("extends") if isinstance(data, dict) else None
    removed = data.get("remove") if isinstance(data, dict) else None
    return (
        None if extends is None else str(extends),
        {str(rid): str(why) for rid, why in (removed or {}).items()},
    )


@dataclass(frozen=True)
class Operation:
    service: str
    version: str
    method: str  # upper case
    path: str  # as written in the spec, without the server prefix
    operation_id: str
    spec: dict[str, Any]  # the resolved operation object

    @property
    def admin_only(self) -> bool:
        return self.spec.get("x-required-role") == "admin"

    @property
    def public(self) -> bool:
        return self.spec.get("security") == []


def operations(
    version: str = "v1", services: tuple[str, ...] = SERVICES, root: Path | None = None
) -> list[Operation]:
    """Every operation of every service, in spec order."""
    found: list[Operation] = []
    for service in services:
        doc = load_openapi(service, version, root=root)
        for path, item in (doc.get("paths") or {}).items():
            for method in HTTP_METHODS:
                op = item.get(method)
                if op is None:
                    continue
                found.append(
                    Operation(service, version, method.upper(), path, op.get("operationId", ""), op)
                )
    return found
