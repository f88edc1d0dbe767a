"""Turn the Markdown under ``docs/`` into the static site: generate, then MkDocs (strict).

MkDocs runs in a child process: its logging set-up and plugin state stay out of the
caller (a test session, the CLI), and a failing build cannot leave either half-configured.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from refarch.docsgen.deploy_pages import write_deployment_resources
from refarch.docsgen.generate import GenerationResult, generate_reference
from refarch.docsgen.run_pictures import render_run_pictures
from refarch.specs import versions as spec_versions

__all__ = ["BuildError", "BuildReport", "build_site", "checkout_root"]


class BuildError(RuntimeError):
    """MkDocs refused the site; ``output`` holds its log (warnings name file and line)."""

    def __init__(self, message: str, output: str = "") -> None:
        super().__init__(message)
        self.output = output


@dataclass(frozen=True)
class BuildReport:
    site_dir: Path
    generated: tuple[GenerationResult, ...]
    generation_seconds: float
    mkdocs_seconds: float

    @property
    def total_seconds(self) -> float:
        return self.generation_seconds + self.mkdocs_seconds


def checkout_root() -> Path:
    """The source checkout holding ``mkdocs.yml`` and ``docs/`` (docs are not packaged)."""
    root = Path(__file__).resolve().parents[2]
    if not (root / "mkdocs.yml").is_file():
        raise BuildError(
            f"no mkdocs.yml in {root}: the docs are built from a source checkout of refarch"
        )
    return root


def build_site(
    site_dir: Path,
    *,
    root: Path | None = None,
    versions: tuple[str, ...] = (),
    progress: Callable[[str], None] = lambda _line: None,
) -> BuildReport:
    """Generate the reference pages for ``versions`` (default: all) and build into ``site_dir``."""
    root = root or checkout_root()
    started = time.perf_counter()
    generated = []
    for version in versions or tuple(spec_versions()):
        progress(f"generate  reference pages for {version} from the specs")
        result = generate_reference(root / "docs", root, version)
        progress(
            f"          {len(result.pages)} pages: {result.operations} operations in "
            f"{len(result.services)} services, {result.tables} tables, {result.requirements} "
            f"requirements ({result.tested_requirements} with a tagged test)"
        )
        generated.append(result)
    # deploy/ is read from the source checkout, like the specs
    write_deployment_resources(root / "docs", checkout_root())
    if not generated:
        raise BuildError(f"no spec versions found (no specs/requirements/v*.yaml under {root})")
    render_run_pictures(root, progress)
    generation_seconds = time.perf_counter() - started

    progress(f"mkdocs    strict build into {site_dir}")
    started = time.perf_counter()
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",  # also set in mkdocs.yml; repeated so no config edit can drop it
            "--clean",
            "--config-file",
            str(root / "mkdocs.yml"),
            "--site-dir",
            str(site_dir),
        ],
        cwd=root,
        # Material prints a multi-line end-of-life banner on every build; the decision to
        # stay on plain Markdown (ADR 0010) already covers it.
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    mkdocs_seconds = time.perf_counter() - started
    if completed.returncode != 0:
        problems = [
            line
            for line in completed.stderr.splitlines()
            if line.startswith(("WARNING", "ERROR")) or "Aborted" in line
        ]
        raise BuildError(
            "mkdocs build failed (strict mode turns every warning into an error):\n"
            + "\n".join(problems or completed.stderr.splitlines()[-20:]),
            output=completed.stderr,
        )
    progress(f"          done in {mkdocs_seconds:.1f} s")
    return BuildReport(
        site_dir=site_dir,
        generated=tuple(generated),
        generation_seconds=generation_seconds,
        mkdocs_seconds=mkdocs_seconds,
    )
