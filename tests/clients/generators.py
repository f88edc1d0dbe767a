"""Run the pinned client generators on the committed bundles, as a consumer team would.

openapi-python-client comes from the project venv (its pins fit ours), openapi-typescript
and tsc from the checkout's node_modules (package.json pins both).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from refarch.bundle import BUNDLES_DIR
from refarch.specs import specs_root

__all__ = [
    "BUNDLES",
    "NODE_BIN",
    "Generated",
    "compile_typescript",
    "generate_python",
    "generate_typescript",
    "package_name",
]

BUNDLES = specs_root() / BUNDLES_DIR
NODE_BIN = Path(__file__).resolve().parents[2] / "node_modules" / ".bin"
_TIMEOUT_SECONDS = 180
#: what the generators print when they leave something out
_WARNING = re.compile(r"warn|error|not supported|will not be generated|omitted", re.IGNORECASE)


@dataclass(frozen=True)
class Generated:
    returncode: int
    output: str
    path: Path

    @property
    def warnings(self) -> list[str]:
        return [line for line in self.output.splitlines() if _WARNING.search(line)]


def package_name(service: str) -> str:
    return f"refarch_{service}_client"


def _run(command: list[str], cwd: Path, *paths: Path) -> tuple[int, str]:
    """Exit status and output; ``paths`` are blanked in the output so that a folder name
    cannot look like a warning."""
    # the venv's bin first: openapi-python-client formats its output with ruff from PATH
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    completed = subprocess.run(
        command,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=_TIMEOUT_SECONDS,
        check=False,
    )
    output = completed.stdout + completed.stderr
    for path in paths:
        output = output.replace(str(path), "<path>")
    return completed.returncode, output


def generate_python(bundle: Path, out_root: Path, service: str) -> Generated:
    target = out_root / package_name(service)
    code, output = _run(
        [
            str(Path(sys.executable).parent / "openapi-python-client"),
            "generate",
            "--path",
            str(bundle),
            "--output-path",
            str(target),
            "--meta",
            "none",
            "--fail-on-warning",
        ],
        out_root,
        bundle,
        target,
    )
    return Generated(code, output, target)


def generate_typescript(bundle: Path, target: Path, *extra: str) -> Generated:
    # run where there is no redocly.yaml: openapi-typescript would read the repository's
    # lint configuration and its API list from the working directory
    target.parent.mkdir(parents=True, exist_ok=True)
    code, output = _run(
        [str(NODE_BIN / "openapi-typescript"), str(bundle), "--output", str(target), *extra],
        target.parent,
        bundle,
        target,
    )
    return Generated(code, output, target)


def compile_typescript(files: list[Path]) -> tuple[int, str]:
    """``tsc --strict --noEmit`` on ``files`` (named on the command line: no tsconfig)."""
    return _run(
        [
            str(NODE_BIN / "tsc"),
            "--strict",
            "--noEmit",
            "--target",
            "es2022",
            "--module",
            "esnext",
            "--moduleResolution",
            "bundler",
            *map(str, files),
        ],
        files[0].parent,
    )
