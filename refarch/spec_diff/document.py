"""Read an OpenAPI 3.0/3.1 document from any team into one plain tree: every ``$ref`` inlined.

Comparing two specs means comparing what a client sees, and a client does not care whether
a schema sits in ``components``, in another file or inline. So both documents are resolved
first (local and cross-file references, JSON or YAML) and the diff walks plain trees.
A reference that loops back on itself (a category tree, a linked list) is left as
``{"$ref": ...}`` at the second visit: two such markers compare equal when they name the same
target, which is all a diff needs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml

__all__ = ["DiffInputError", "OpenApiDocument", "load_document", "parse_document"]


class DiffInputError(ValueError):
    """The input cannot be compared (unreadable, not OpenAPI 3.x, broken $ref): exit 2."""


@dataclass(frozen=True)
class OpenApiDocument:
    """One resolved document and where it came from (a path, or ``ref:path`` from git)."""

    source: str
    openapi: str  # "3.0.3", "3.1.0", ...
    tree: dict[str, Any]

    @property
    def api_version(self) -> str:
        return str((self.tree.get("info") or {}).get("version", ""))


Loader = Any  # a callable (Path) -> parsed content; the git reader passes its own


def _parse_text(text: str, source: str) -> Any:
    try:
        # YAML 1.2 is a superset of JSON in practice; try JSON first for exact error positions
        return json.loads(text) if text.lstrip().startswith("{") else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise DiffInputError(f"{source} is neither valid YAML nor JSON: {exc}") from exc


def _read_file(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DiffInputError(f"cannot read {path}: {exc.__class__.__name__}: {exc}") from exc
    return _parse_text(text, str(path))


def _follow_pointer(document: Any, pointer: str, ref: str, source: str) -> Any:
    node = document
    for raw in filter(None, pointer.split("/")):
        part = unquote(raw).replace("~1", "/").replace("~0", "~")
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            raise DiffInputError(f"{source}: $ref {ref!r} points at nothing ({part!r} missing)")
    return node


class _Resolver:
    def __init__(self, read: Loader) -> None:
        self._read = read
        self._files: dict[Path, Any] = {}

    def preload(self, path: Path, content: Any) -> None:
        self._files[path] = content

    def load(self, path: Path) -> Any:
        if path not in self._files:
            self._files[path] = self._read(path)
        return self._files[path]

    def resolve(self, node: Any, base: Path, seen: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [self.resolve(item, base, seen) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if not isinstance(ref, str):
            return {key: self.resolve(value, base, seen) for key, value in node.items()}
        file_part, _, pointer = ref.partition("#")
        if file_part.startswith(("http://", "https://")):
            raise DiffInputError(
                f"{base}: remote $ref {ref!r} is not fetched; bundle the document first"
            )
        target_file = (base.parent / file_part).resolve() if file_part else base
        key = f"{target_file}#{pointer}"
        if key in seen:  # a recursive schema: stop here, keep a comparable marker
            return {"$ref": f"{target_file.name}#{pointer}"}
        target = _follow_pointer(self.load(target_file), pointer, ref, str(base))
        resolved = self.resolve(target, target_file, (*seen, key))
        siblings = {k: self.resolve(v, base, seen) for k, v in node.items() if k != "$ref"}
        if siblings and isinstance(resolved, dict):  # 3.1 allows description etc. beside $ref
            return {**resolved, **siblings}
        return resolved


def parse_document(
    root: Any, source: str, base: Path, read: Loader = _read_file
) -> OpenApiDocument:
    """Check that ``root`` is an OpenAPI 3.0/3.1 document and resolve it relative to ``base``."""
    if not isinstance(root, dict):
        raise DiffInputError(f"{source} is not an OpenAPI document (its top level is not a map)")
    if "swagger" in root:
        raise DiffInputError(
            f"{source} is Swagger/OpenAPI 2.0; convert it to OpenAPI 3.0 or 3.1 first"
        )
    version = str(root.get("openapi", ""))
    if not version.startswith(("3.0", "3.1")):
        found = f"openapi: {version}" if version else "no `openapi:` field"
        raise DiffInputError(f"{source} is not an OpenAPI 3.0/3.1 document ({found})")
    resolver = _Resolver(read)
    resolver.preload(base, root)
    try:
        tree = resolver.resolve(root, base, ())
    except RecursionError as exc:  # only absurdly deep documents
        raise DiffInputError(f"{source} nests too deeply to compare") from exc
    return OpenApiDocument(source=source, openapi=version, tree=tree)


def load_document(path: Path, source: str | None = None) -> OpenApiDocument:
    """Read, check and resolve the OpenAPI document at ``path`` (YAML or JSON)."""
    if not path.is_file():
        raise DiffInputError(f"{path} does not exist or is not a file")
    resolved = path.resolve()
    return parse_document(_read_file(resolved), source or str(path), resolved)
