"""``refarch specs diff`` run as a user runs it: a real process, its output and exit status."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PLANTED = FIXTURES / "planted"


def run_diff(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "REFARCH_SPECS_DIR"}
    return subprocess.run(
        [sys.executable, "-c", "from refarch.cli import main; main()", "specs", "diff", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


def planted(verdict: str) -> list[Path]:
    return sorted((PLANTED / verdict).glob("*.yaml"))
