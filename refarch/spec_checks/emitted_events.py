"""Which event types an implementation's source can publish, found without importing it.

The spec checks may not import the reference implementation (an import contract forbids
it, and importing would run its code), so its Python files are parsed: an event type is a
string literal passed as ``event_type=`` (how every producer builds an ``Event``), or any
``<aggregate>.<verb>`` literal in the implementation's ``events.py``, the one module that
keeps the event types together.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["EmittedEvent", "find_emitted_events"]

#: ``order.placed``, ``product.stock_changed``: how every event type is spelled.
EVENT_TYPE = re.compile(r"^[a-z]+\.[a-z]+(?:_[a-z]+)*$")
#: The module that keeps the event types together (a registry, constants).
REGISTRY_MODULE = "events.py"
#: Keyword arguments whose string value names an event type.
TYPE_KEYWORDS = ("event_type",)


@dataclass(frozen=True, order=True)
class EmittedEvent:
    type: str
    path: Path
    line: int
    col: int


def _literal(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _from_module(path: Path) -> list[EmittedEvent]:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, UnicodeDecodeError, SyntaxError):
        return []  # ruff and mypy report a file that does not parse
    registry = path.name == REGISTRY_MODULE
    found = []
    for node in ast.walk(tree):
        candidates: list[ast.expr] = []
        if isinstance(node, ast.keyword) and node.arg in TYPE_KEYWORDS:
            candidates.append(node.value)
        elif registry and isinstance(node, ast.Constant):
            candidates.append(node)
        for candidate in candidates:
            value = _literal(candidate)
            if value is not None and EVENT_TYPE.match(value):
                line, col = candidate.lineno, candidate.col_offset + 1
                found.append(EmittedEvent(value, path, line, col))
    return found


def find_emitted_events(source_dir: Path) -> list[EmittedEvent]:
    """Every place under ``source_dir`` that names an event type it can publish."""
    found: list[EmittedEvent] = []
    for path in sorted(source_dir.rglob("*.py")):
        found.extend(_from_module(path))
    return sorted(set(found))
