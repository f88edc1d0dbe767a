"""The suite runs from an installed package, with no checkout of refarch in sight."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.support.server import ServerHandle

REPOSITORY = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_conform_runs_from_an_installed_wheel(reference: ServerHandle, tmp_path: Path) -> None:
    wheels, site = tmp_path / "wheels", tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "-w", str(wheels), str(REPOSITORY)],
        check=True,
        timeout=300,
    )
    wheel = next(wheels.glob("refarch-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        top_level = {name.split("/")[0] for name in archive.namelist()}
    # one import name: the parts live under refarch, nothing generic can collide
    assert {name for name in top_level if not name.endswith(".dist-info")} == {"refarch"}
    subprocess.run(
        [*pip, "install", "--no-deps", "--target", str(site), str(wheel)], check=True, timeout=300
    )
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "from refarch.cli import main; main()",
            "conform",
            "--base-url",
            reference.base_url,
            "--quick",
            "--requirements",
            "OPS-001,CAT-001",
            "--report-dir",
            str(tmp_path / "report"),
        ],
        # the installed copy comes first; the working directory holds no checkout
        env={
            **os.environ,
            "PYTHONPATH": str(site),
            "REFARCH_CONFORM_ADMIN_EMAIL": reference.admin_email,
            "REFARCH_CONFORM_ADMIN_PASSWORD": reference.admin_password,
        },
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-4000:]
    assert f"rootdir: {site / 'refarch' / 'conformance' / 'suite'}" in output
    assert "2 passed" in output
