"""Clients generated once per session from the committed bundles, into a temporary folder."""

from __future__ import annotations

import sys
from collections.abc import Iterator

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


@pytest.fixture(scope="session")
def python_clients(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Generated]]:
    """service -> its generated package, importable as ``refarch_<service>_client``."""
    out_root = tmp_path_factory.mktemp("python-clients")
    generated = {
        service: generate_python(BUNDLES / service / "v1.yaml", out_root, service)
        for service in bundled_services()
    }
    sys.path.insert(0, str(out_root))
    try:
        yield generated
    finally:
        sys.path.remove(str(out_root))


@pytest.fixture(scope="session")
def typescript_clients(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Generated]:
    """service -> ``<service>.ts`` generated with the guide's options (union types)."""
    out_dir = tmp_path_factory.mktemp("typescript-clients")
    return {
        service: generate_typescript(
            BUNDLES / service / "v1.yaml", out_dir / f"{service}.ts", *TYPESCRIPT_OPTIONS
        )
        for service in bundled_services()
    }
