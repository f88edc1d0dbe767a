"""Ctrl-C during a real load run: Locust stops, the partial report is written and marked
interrupted, the command exits 2, and no load generator is left running."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import psutil
import pytest

from tests.loadtests.conftest import CLI_TIMEOUT_S, admin_of
from tests.loadtests.faults_and_budgets import SHARED_RUNNER_BUDGET
from tests.support.server import ServerHandle

#: a status line once requests have been answered, e.g. "0:04 / 1:00  10 users  ... of 138"
STATUS_WITH_REQUESTS = re.compile(r"^\d+:\d\d / 1:00  10 users  .* of [1-9]\d*  p95 now")
#: an interactive shell delivers Ctrl-C as SIGINT with Python's default handler; a test
#: runner's child may inherit SIGINT as ignored, so the handler is put back explicitly
CLI = (
    "import signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "from refarch.cli import main; main()"
)


def locust_processes(report_dir: Path) -> list[psutil.Process]:
    """Locust processes of this run: their command line names its report directory."""
    found = []
    for process in psutil.process_iter(["cmdline"]):
        cmdline = process.info["cmdline"] or []
        if "locust" in cmdline and any(str(report_dir) in part for part in cmdline):
            found.append(process)
    return found


@pytest.mark.slow
def test_ctrl_c_stops_locust_and_writes_the_partial_report(
    shop: ServerHandle, tmp_path: Path
) -> None:
    report_dir = tmp_path / "report"
    email, password = admin_of(shop)
    command = [
        sys.executable, "-c", CLI, "load", "--base-url", shop.base_url,
        "--report-dir", str(report_dir), "--duration", "60s", "--status-every", "1",
        "--thresholds", str(SHARED_RUNNER_BUDGET),
        "--admin-email", email, "--admin-password", password,
    ]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp_path
    )
    try:
        assert process.stdout is not None
        before: list[str] = []
        # the run prints a plain status line every second (stdout is not a terminal); wait for
        # one that shows answered requests. Bounded: the run itself ends after 60 s.
        for line in process.stdout:
            before.append(line)
            if STATUS_WITH_REQUESTS.match(line):
                break
        assert STATUS_WITH_REQUESTS.match(before[-1]), "".join(before)
        assert locust_processes(report_dir), "Locust should be running before Ctrl-C"
        process.send_signal(signal.SIGINT)
        after, _ = process.communicate(timeout=CLI_TIMEOUT_S)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    output = "".join(before) + after

    assert process.returncode == 2, output
    assert "refarch load: interrupted after" in after
    assert "INTERRUPTED: load gate (smoke profile, 10 users, 60 s) stopped after" in after
    assert not locust_processes(report_dir), "a Locust process outlived the command"

    verdict = (report_dir / "verdict.json").read_text(encoding="utf-8")
    assert '"interrupted": true' in verdict and '"passed": false' in verdict
    assert '"exit_code": 2' in verdict
    markdown = (report_dir / "verdict.md").read_text(encoding="utf-8")
    assert markdown.startswith("### ⏹️ INTERRUPTED: load gate")
    overall = ET.parse(report_dir / "charts" / "overall.svg").getroot()
    assert overall.find(".//{http://www.w3.org/2000/svg}g[@id='series-p95']") is not None
