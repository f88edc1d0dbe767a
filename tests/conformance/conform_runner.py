"""Run ``refarch conform`` exactly as a CI job would: a separate process, by base URL.

A child process keeps the suite's pytest session (its plugins, Hypothesis, Schemathesis)
apart from the project's own pytest session running this test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["ConformRun", "run_conform"]

#: generous: a quick run takes ~30 s; a wedged run must still end the test
TIMEOUT_SECONDS = 300


@dataclass
class ConformRun:
    exit_code: int
    output: str
    report_dir: Path

    @property
    def report(self) -> dict[str, Any]:
        return json.loads((self.report_dir / "conformance.json").read_text(encoding="utf-8"))

    def requirement_status(self) -> dict[str, str]:
        return {entry["id"]: entry["status"] for entry in self.report["requirements"]}

    def failed_requirements(self) -> set[str]:
        return {rid for rid, status in self.requirement_status().items() if status == "failed"}


def run_conform(
    base_url: str,
    report_dir: Path,
    *args: str,
    admin_email: str = "",
    admin_password: str = "",
    timeout: float = TIMEOUT_SECONDS,
) -> ConformRun:
    env = {
        **os.environ,
        "REFARCH_CONFORM_ADMIN_EMAIL": admin_email,
        "REFARCH_CONFORM_ADMIN_PASSWORD": admin_password,
    }
    command = [
        sys.executable, "-c", "from refarch.cli import main; main()",
        "conform", "--base-url", base_url, "--report-dir", str(report_dir), *args,
    ]  # fmt: skip
    completed = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    return ConformRun(completed.returncode, completed.stdout + completed.stderr, report_dir)
