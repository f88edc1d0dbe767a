"""`refarch specs bundle`: self-contained files, a committed copy that cannot go stale, and
a command that still works where Redocly is not installed (an installed wheel)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.clients.generators import BUNDLES

pytestmark = pytest.mark.xdist_group("clients")

REPOSITORY = Path(__file__).resolve().parents[2]
SPECS = REPOSITORY / "specs"


def refarch(*args: str, cwd: Path = REPOSITORY, env: dict[str, str] | None = None) -> Any:
    return subprocess.run(
        [sys.executable, "-c", "from refarch.cli import main; main()", "specs", "bundle", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for value in node.values() for r in refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in refs(value)]
    return []


def test_the_committed_bundles_are_up_to_date() -> None:
    result = refarch("--check")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "bundle", sorted(BUNDLES.glob("*/v[0-9]*.yaml")), ids=lambda p: f"{p.parent.name}-{p.stem}"
)
def test_a_bundle_references_only_itself_and_keeps_the_shared_names(bundle: Path) -> None:
    document = yaml.safe_load(bundle.read_text(encoding="utf-8"))
    external = [ref for ref in refs(document) if not ref.startswith("#/")]
    assert external == []
    assert "Problem" in document["components"]["schemas"]
    source = yaml.safe_load((SPECS / "openapi" / bundle.parent.name / bundle.name).read_text())
    assert document["paths"].keys() == source["paths"].keys()


def test_check_names_a_stale_a_missing_and_an_orphaned_bundle(tmp_path: Path) -> None:
    committed = tmp_path / "bundles"
    shutil.copytree(BUNDLES, committed)
    stale = committed / "orders" / "v1.yaml"
    stale.write_text(stale.read_text().replace("Place an order", "Order something"))
    (committed / "users" / "v1.yaml").unlink()
    (committed / "retired").mkdir()
    (committed / "retired" / "v1.yaml").write_text("openapi: 3.1.0\n")

    result = refarch("--check", "--out", str(committed))

    assert result.returncode == 1
    assert f"{stale}: differs from its sources" in result.stderr
    assert f"{committed / 'users' / 'v1.yaml'}: missing" in result.stderr
    assert f"{committed / 'retired' / 'v1.yaml'}: has no source any more" in result.stderr
    assert "make bundle" in result.stderr


def test_without_redocly_the_shipped_bundles_are_copied(tmp_path: Path) -> None:
    # what an installed wheel sees: the specs with their bundles, no node_modules anywhere
    specs = tmp_path / "site-packages" / "_specs"
    shutil.copytree(SPECS, specs)
    env = {"REFARCH_SPECS_DIR": str(specs)}

    copied = refarch("--out", str(tmp_path / "out"), cwd=tmp_path, env=env)
    assert copied.returncode == 0, copied.stderr
    assert "Redocly is not installed" in copied.stderr
    for bundle in BUNDLES.glob("*/v1.yaml"):
        assert (tmp_path / "out" / bundle.parent.name / "v1.yaml").read_bytes() == (
            bundle.read_bytes()
        )

    in_place = refarch(cwd=tmp_path, env=env)
    assert in_place.returncode == 2
    assert "pass --out DIR" in in_place.stderr

    check = refarch("--check", cwd=tmp_path, env=env)
    assert check.returncode == 2
    assert "make setup" in check.stderr
