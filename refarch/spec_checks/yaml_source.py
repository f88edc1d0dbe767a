"""YAML files that remember where every value came from, and ``$ref`` resolution across files.

Findings must point at a line, so documents are composed (keeping PyYAML's node marks) and
constructed from the same node tree: one parse gives both the plain data the rules read and
the positions they report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = ["Pointer", "Ref", "SourceCache", "YamlSource", "YamlSourceError", "parse_pointer"]

#: A location inside a document: mapping keys and list indexes, outermost first.
Pointer = tuple[str | int, ...]


class YamlSourceError(ValueError):
    """A file that cannot be read or parsed; ``line``/``col`` are 1-based when known."""

    def __init__(self, path: Path, message: str, line: int = 0, col: int = 0) -> None:
        super().__init__(message)
        self.path, self.message, self.line, self.col = path, message, line, col


class _JsonCompatibleLoader(yaml.SafeLoader):
    """YAML as OpenAPI tools read it: an unquoted ``2026-01-01T00:00:00Z`` is a string.

    PyYAML follows YAML 1.1 and would make it a ``datetime``, which no JSON schema accepts,
    while Spectral, Redocly and every JSON consumer see a string.
    """


_JsonCompatibleLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_pointer(fragment: str) -> Pointer:
    """JSON pointer (RFC 6901) text after the ``#`` into its unescaped parts."""
    return tuple(p.replace("~1", "/").replace("~0", "~") for p in fragment.split("/") if p)


@dataclass
class YamlSource:
    path: Path
    data: Any
    root: yaml.Node

    @classmethod
    def load(cls, path: Path) -> YamlSource:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise YamlSourceError(path, f"cannot read the file: {exc}") from exc
        loader = _JsonCompatibleLoader(text)
        try:
            root = loader.get_single_node()
            if root is None:
                raise YamlSourceError(path, "the file is empty", 1, 1)
            data = loader.construct_document(root)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
            raise YamlSourceError(path, f"invalid YAML: {exc.problem or exc}", line, col) from exc
        finally:
            loader.dispose()
        return cls(path=path, data=data, root=root)

    def get(self, pointer: Pointer) -> Any:
        """The value at ``pointer``; ``KeyError`` when any part is missing."""
        value = self.data
        for part in pointer:
            in_mapping = isinstance(value, dict) and part in value
            in_list = isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value)
            if not (in_mapping or in_list):
                raise KeyError(part)
            value = value[part]
        return value

    def position(self, pointer: Sequence[str | int]) -> tuple[int, int]:
        """1-based line and column of the deepest key or item of ``pointer`` that exists."""
        node = self.root
        mark = node.start_mark
        for part in pointer:
            if isinstance(node, yaml.MappingNode):
                match = next((kv for kv in node.value if kv[0].value == str(part)), None)
                if match is None:
                    break
                mark, node = match[0].start_mark, match[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if not 0 <= part < len(node.value):
                    break
                node = node.value[part]
                mark = node.start_mark
            else:
                break
        return mark.line + 1, mark.column + 1


@dataclass(frozen=True)
class Ref:
    """Where a ``$ref`` leads: the file and the pointer of the target inside it."""

    source: YamlSource
    pointer: Pointer

    @property
    def value(self) -> Any:
        return self.source.get(self.pointer)

    def exists(self) -> bool:
        try:
            self.source.get(self.pointer)
        except KeyError:
            return False
        return True


@dataclass
class SourceCache:
    """Each file parsed once per run, shared by every check that follows references."""

    _sources: dict[Path, YamlSource] = field(default_factory=dict)

    def load(self, path: Path) -> YamlSource:
        key = path.resolve()
        if key not in self._sources:
            self._sources[key] = YamlSource.load(key)
        return self._sources[key]

    def follow(self, source: YamlSource, ref: str) -> Ref:
        """Resolve one ``$ref`` written in ``source``; ``LookupError`` says why it fails."""
        file_part, _, fragment = ref.partition("#")
        if "://" in file_part:
            raise LookupError("only relative file references are allowed (no URLs)")
        target_path = (source.path.parent / file_part).resolve() if file_part else source.path
        if not target_path.is_file():
            raise LookupError(f"file {file_part} does not exist")
        try:
            target = self.load(target_path)
        except YamlSourceError as exc:
            raise LookupError(f"{file_part} cannot be parsed: {exc.message}") from exc
        pointer = parse_pointer(fragment)
        try:
            target.get(pointer)
        except KeyError as exc:
            raise LookupError(f"{file_part or 'this file'} has no #{fragment}") from exc
        return Ref(target, pointer)

    def resolve(self, source: YamlSource, pointer: Pointer, *, limit: int = 20) -> Ref:
        """Follow ``$ref`` chains from ``pointer`` until a value that is not a reference."""
        here = Ref(source, pointer)
        for _ in range(limit):
            value = here.value
            if not (isinstance(value, dict) and isinstance(value.get("$ref"), str)):
                return here
            here = self.follow(here.source, value["$ref"])
        raise LookupError("$ref chain is too long or circular")
