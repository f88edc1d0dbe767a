"""Clients generated once per test session from the committed bundles, into a temporary folder.

Under pytest-xdist every worker has its own session fixtures, and `--dist loadgroup` cannot
keep these tests on one worker (pytest-xdist 3.8 marks a group by rewriting ``item._nodeid``,
which pytest 9.2 no longer reads). So the first worker generates into the run's shared
temporary folder under a file lock and records the results; the others read them.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.clients.generators import (
    BUNDLES,
    Generated,
    generate_python,
    generate_typescript,
)

#: the options the client guide gives for TypeScript: `default` values must not make a
#: request member required (ProductCreate.stock)
TYPESCRIPT_OPTIONS = ("--default-non-nullable", "false")


def bundled_services() -> list[str]:
    return sorted(p.parent.name for p in BUNDLES.glob("*/v1.yaml"))


def _run_folder(factory: pytest.TempPathFactory) -> Path:
    """The temporary folder of this run, shared by all xdist workers of it."""
    base = factory.getbasetemp()
    return base.parent if "PYTEST_XDIST_WORKER" in os.environ else base


def _generate_once(
    factory: pytest.TempPathFactory, name: str, generate: Callable[[Path], dict[str, Generated]]
) -> dict[str, Generated]:
    folder = _run_folder(factory) / name
    folder.mkdir(exist_ok=True)
    with (folder / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        results = folder / "results.json"
        if not results.exists():
            generated = generate(folder)
            results.write_text(
                json.dumps(
                    {s: [g.returncode, g.output, str(g.path)] for s, g in generated.items()}
                ),
                encoding="utf-8",
            )
        recorded = json.loads(results.read_text(encoding="utf-8"))
    return {s: Generated(code, output, Path(path)) for s, (code, output, path) in recorded.items()}


@pytest.fixture(scope="session")
def python_clients(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Generated]]:
    """service -> its generated package, importable as ``refarch_<service>_client``."""

    def generate(folder: Path) -> dict[str, Generated]:
        return {
            service: generate_python(BUNDLES / service / "v1.yaml", folder, service)
            for service in bundled_services()
        }

    generated = _generate_once(tmp_path_factory, "python-clients", generate)
    out_root = str(next(iter(generated.values())).path.parent)
    sys.path.insert(0, out_root)
    try:
        yield generated
    finally:
        sys.path.remove(out_root)


@pytest.fixture(scope="session")
def typescript_clients(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Generated]:
    """service -> ``<service>.ts`` generated with the guide's options (union types)."""

    def generate(folder: Path) -> dict[str, Generated]:
        return {
            service: generate_typescript(
                BUNDLES / service / "v1.yaml", folder / f"{service}.ts", *TYPESCRIPT_OPTIONS
            )
            for service in bundled_services()
        }

    return _generate_once(tmp_path_factory, "typescript-clients", generate)
