"""A private copy of the ``refarch`` package to mutate, never the working tree itself.

A run killed halfway must not leave a mutated module in the repository (cosmic-ray's own
runner mutates files in place and relies on a ``finally`` to undo it). The copy follows the
package's links (``refarch/reference_impl`` -> ``reference_impl/``), so a server started with
the copy first on ``PYTHONPATH`` imports only copied code.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mutation.mutants import Mutant

__all__ = ["Workspace"]

#: the package's folders a server never imports
_LEFT_OUT = ("__pycache__", "*.pyc", "conformance", "loadtests", "docsgen")


class Workspace:
    def __init__(self, repo_root: Path, directory: Path) -> None:
        self.repo_root = repo_root
        self.root = directory  # goes first on PYTHONPATH
        if directory.exists():
            shutil.rmtree(directory)
        shutil.copytree(
            repo_root / "refarch",
            directory / "refarch",
            symlinks=False,
            ignore=shutil.ignore_patterns(*_LEFT_OUT),
        )

    def module(self, repo_path: str) -> Path:
        """Where a repository path such as ``reference_impl/orders/service.py`` is copied."""
        return self.root / "refarch" / repo_path

    @contextmanager
    def applied(self, mutant: Mutant) -> Iterator[str]:
        """The mutant written into the copy for the block; the original is back afterwards.
        Yields the mutated source."""
        target = self.module(mutant.path)
        original = target.read_text(encoding="utf-8")
        mutated = mutant.mutated_source(original)
        target.write_text(mutated, encoding="utf-8")
        try:
            yield mutated
        finally:
            target.write_text(original, encoding="utf-8")
