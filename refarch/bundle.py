"""Single-file bundles of the OpenAPI documents, one per service and version, for client generators.

A service's document references shared components in ``openapi/common/*.yaml``. Client
generators do not all follow relative references across files (openapi-python-client 0.29
drops the operations that use them and still exits 0), so consumers generate from a bundle:
one self-contained file in which every external reference has become a component of the
document itself (names kept, so generated types are called ``Problem``, ``Money``...).

Bundling is done by the pinned Redocly CLI (``npm ci`` installs it into the checkout). An
installed wheel cannot run npm, so the bundles are committed under ``specs/bundles/`` and
ship with the specs; ``--check`` (in ``make check`` and the test suite) fails when a
committed bundle no longer matches its sources.
"""

from __future__ import annotations

import filecmp
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "BUNDLES_DIR",
    "BundleError",
    "StaleBundle",
    "bundle_specs",
    "copy_shipped",
    "find_redocly",
    "sources",
    "stale_bundles",
]

#: Folder under the specs root holding the committed bundles: ``<service>/<version>.yaml``.
BUNDLES_DIR = "bundles"
_COMMON = "common"
_TIMEOUT_SECONDS = 120
_HEADER = (
    "# Generated from specs/{source} by `refarch specs bundle` (make bundle): do not edit.\n"
    "# One self-contained file for client generators: shared components copied into components.\n"
)


class BundleError(RuntimeError):
    """Bundling could not run; the message says what is missing and how to get it."""


@dataclass(frozen=True)
class StaleBundle:
    path: Path
    reason: str  # "differs from its sources", "missing", "has no source any more"


def sources(specs_root: Path, version: str) -> dict[str, Path]:
    """Service name -> its OpenAPI document for ``version``, in name order."""
    openapi = specs_root.resolve() / "openapi"
    found = {
        folder.name: folder / f"{version}.yaml"
        for folder in sorted(openapi.iterdir() if openapi.is_dir() else [])
        if folder.is_dir() and folder.name != _COMMON and (folder / f"{version}.yaml").is_file()
    }
    if not found:
        raise BundleError(
            f"no OpenAPI documents for version {version} under {openapi} "
            f"(expected openapi/<service>/{version}.yaml)"
        )
    return found


def find_redocly(specs_root: Path) -> Path | None:
    """The pinned Redocly CLI of the checkout holding ``specs_root``; None outside a
    checkout (an installed wheel). A Redocly elsewhere (on PATH, in another project) is
    never used: its version would decide what the bundles contain."""
    for folder in (specs_root.resolve(), *specs_root.resolve().parents):
        candidate = folder / "node_modules" / ".bin" / "redocly"
        if candidate.is_file():
            return candidate
    return None


def _bundle_one(redocly: Path, source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        completed = subprocess.run(
            [str(redocly), "bundle", str(source.resolve()), "--output", str(target.resolve())],
            capture_output=True,
            text=True,
            check=False,
            timeout=_TIMEOUT_SECONDS,
            # Redocly reads redocly.yaml from the working directory; bundling needs none of
            # its lint settings, so run it where there is no such file.
            cwd=target.parent,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BundleError(f"could not run {redocly}: {exc}") from exc
    if completed.returncode != 0 or not target.is_file():
        output = (completed.stderr or completed.stdout).strip()
        raise BundleError(f"Redocly could not bundle {source}:\n{output[-2000:]}")


def bundle_specs(
    specs_root: Path,
    out_dir: Path,
    *,
    version: str = "v1",
    redocly: Path | None = None,
) -> list[Path]:
    """Write ``out_dir/<service>/<version>.yaml`` for every service; returns the files.

    Each bundle is built in a scratch folder and moved into place only when all succeeded,
    so a failing run never leaves half of the bundles updated.
    """
    redocly = redocly or find_redocly(specs_root)
    if redocly is None:
        raise BundleError(
            "the Redocly CLI is not installed: run `make setup` (npm ci) in a refarch checkout"
        )
    documents = sources(specs_root, version)
    written = []
    with tempfile.TemporaryDirectory(prefix="refarch-bundle-") as scratch:
        for service, source in documents.items():
            _bundle_one(redocly, source, Path(scratch) / service / f"{version}.yaml")
        for service in documents:
            target = out_dir / service / f"{version}.yaml"
            target.parent.mkdir(parents=True, exist_ok=True)
            bundled = (Path(scratch) / service / f"{version}.yaml").read_text(encoding="utf-8")
            header = _HEADER.format(source=documents[service].relative_to(specs_root.resolve()))
            target.write_text(header + bundled, encoding="utf-8")
            written.append(target)
    return written


def stale_bundles(
    specs_root: Path, committed_dir: Path, *, version: str = "v1", redocly: Path | None = None
) -> list[StaleBundle]:
    """Committed bundles that differ from a fresh bundle of their sources, are missing, or
    have no source any more."""
    with tempfile.TemporaryDirectory(prefix="refarch-bundle-check-") as scratch:
        fresh = bundle_specs(specs_root, Path(scratch), version=version, redocly=redocly)
        stale = []
        for path in fresh:
            committed = committed_dir / path.relative_to(scratch)
            if not committed.is_file():
                stale.append(StaleBundle(committed, "missing"))
            elif not filecmp.cmp(path, committed, shallow=False):
                stale.append(StaleBundle(committed, "differs from its sources"))
        expected = {committed_dir / p.relative_to(scratch) for p in fresh}
    for extra in sorted(committed_dir.glob(f"*/{version}.yaml")):
        if extra not in expected:
            stale.append(StaleBundle(extra, "has no source any more"))
    return stale


def copy_shipped(shipped_dir: Path, out_dir: Path, *, version: str = "v1") -> list[Path]:
    """Copy the bundles that ship with the package (built from the same specs) to ``out_dir``."""
    bundles = sorted(shipped_dir.glob(f"*/{version}.yaml"))
    if not bundles:
        raise BundleError(
            f"no {version} bundles in {shipped_dir} and no Redocly CLI to build them: "
            "run `make setup` in a refarch checkout"
        )
    written = []
    for bundle in bundles:
        target = out_dir / bundle.parent.name / bundle.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(bundle, target)
        written.append(target)
    return written
