"""``--base GIT_REF``: the specs as they were at a commit, paired with the working tree's.

Files are read with ``git show REF:path``, cross-file ``$ref``s included, so nothing is
checked out and the working tree is left alone.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from refarch.spec_diff.document import (
    DiffInputError,
    OpenApiDocument,
    load_document,
    parse_document,
)

__all__ = ["GitTree", "SpecPair", "spec_pairs"]

#: Where versioned documents live below a specs folder: openapi/<service>/v<N>.yaml
SPEC_PATTERN = "openapi/*/v*.yaml"


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=60)
    except FileNotFoundError as exc:
        raise DiffInputError("--base needs git, which is not installed") from exc


@dataclass(frozen=True)
class GitTree:
    """One commit of the repository around ``top``."""

    top: Path
    ref: str

    @classmethod
    def open(cls, folder: Path, ref: str) -> GitTree:
        shown = _git(folder, "rev-parse", "--show-toplevel")
        if shown.returncode != 0:
            raise DiffInputError(f"--base needs a git repository, and {folder} is not in one")
        top = Path(shown.stdout.decode().strip()).resolve()
        if _git(top, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").returncode != 0:
            raise DiffInputError(
                f"unknown git ref {ref!r}: name a branch, tag or commit (e.g. origin/main); "
                "in a shallow CI clone, fetch it first"
            )
        return cls(top, ref)

    def relative(self, path: Path) -> str:
        try:
            return str(PurePosixPath(path.resolve().relative_to(self.top)))
        except ValueError as exc:
            raise DiffInputError(f"{path} is outside the git repository {self.top}") from exc

    def read(self, path: Path) -> str:
        shown = _git(self.top, "show", f"{self.ref}:{self.relative(path)}")
        if shown.returncode != 0:
            raise DiffInputError(f"{self.relative(path)} does not exist at {self.ref}")
        return shown.stdout.decode("utf-8")

    def exists(self, path: Path) -> bool:
        return _git(self.top, "cat-file", "-e", f"{self.ref}:{self.relative(path)}").returncode == 0

    def files(self, folder: Path, pattern: str) -> list[Path]:
        listed = _git(
            self.top, "ls-tree", "-r", "--name-only", self.ref, "--", self.relative(folder)
        )
        return [
            self.top / name
            for name in listed.stdout.decode().splitlines()
            if PurePosixPath(name).relative_to(self.relative(folder)).match(pattern)
        ]

    def document(self, path: Path) -> OpenApiDocument:
        import yaml

        def read(file: Path) -> object:
            try:
                return yaml.safe_load(self.read(file))
            except yaml.YAMLError as exc:
                raise DiffInputError(f"{self.ref}:{self.relative(file)}: {exc}") from exc

        source = f"{self.ref}:{self.relative(path)}"
        return parse_document(read(path.resolve()), source, path.resolve(), read)


@dataclass(frozen=True)
class SpecPair:
    old: OpenApiDocument
    new: OpenApiDocument


def _empty_like(document: OpenApiDocument, source: str) -> OpenApiDocument:
    """A document with no operations: a deleted spec removes every operation it had."""
    tree = {"openapi": document.openapi, "info": document.tree.get("info", {}), "paths": {}}
    return OpenApiDocument(source, document.openapi, tree)


def spec_pairs(tree: GitTree, files: Iterable[Path], specs_dir: Path | None) -> list[SpecPair]:
    """Pairs (document at the ref, document in the working tree).

    Either the named files, or every ``openapi/<service>/v<N>.yaml`` below ``specs_dir`` in
    either tree. A spec new in the working tree has nothing to break and is left out; a spec
    deleted from it is compared with an empty document, so each operation shows as removed.
    """
    named = [Path(f) for f in files]
    if named:
        candidates = named
    else:
        assert specs_dir is not None
        current = set(p.resolve() for p in specs_dir.glob(SPEC_PATTERN))
        candidates = sorted(current | set(tree.files(specs_dir, SPEC_PATTERN)))
    pairs = []
    for path in candidates:
        if not tree.exists(path):
            if not path.exists():
                raise DiffInputError(f"{path} exists neither in the working tree nor at {tree.ref}")
            continue
        old = tree.document(path)
        name = tree.relative(path)
        new = load_document(path, name) if path.exists() else _empty_like(old, f"{name} (deleted)")
        pairs.append(SpecPair(old, new))
    return pairs
