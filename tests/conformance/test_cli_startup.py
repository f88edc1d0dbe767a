"""`refarch conform` loads pytest, Schemathesis and the plugin only once a run starts, so
`--help` and the preflight errors stay fast and never drag the suite's plugins along."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
import refarch.conformance.cli as cli
heavy = sorted({"pytest", "schemathesis", "hypothesis", "refarch.conformance.plugin"} & set(sys.modules))
print(",".join(heavy))
"""


def test_importing_the_cli_loads_neither_pytest_nor_the_plugin() -> None:
    probe = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=True
    )
    assert probe.stdout.strip() == "", f"imported at CLI start-up: {probe.stdout.strip()}"
