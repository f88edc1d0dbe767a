"""What every check returns: a ``Finding`` pinned to a file position, with a fix hint."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["CheckAborted", "Finding", "display_path"]


class CheckAborted(RuntimeError):
    """The checks cannot run at all (missing specs dir, no server): exit code 2, no traceback."""


def display_path(path: Path) -> str:
    """Relative to the working directory when below it (clickable in editors), else absolute."""
    try:
        return os.path.relpath(path) if path.resolve().is_relative_to(Path.cwd()) else str(path)
    except ValueError:  # a different drive on Windows
        return str(path)


@dataclass(frozen=True, order=True)
class Finding:
    """One problem in the specs. Frozen and ordered so findings dedupe and sort by position.

    ``line`` and ``col`` are 1-based; 0 means "the whole file" (e.g. a missing OWASP category).
    """

    path: Path
    line: int
    col: int
    rule: str
    message: str
    hint: str

    def location(self) -> str:
        where = display_path(self.path)
        return f"{where}:{self.line}:{self.col}" if self.line else where

    def as_text(self) -> str:
        return f"{self.location()}: {self.rule} {self.message}\n    hint: {self.hint}"

    def as_json(self) -> dict[str, Any]:
        return {
            "path": display_path(self.path),
            "line": self.line,
            "col": self.col,
            "rule": self.rule,
            "message": self.message,
            "hint": self.hint,
        }
