"""A suite test without a requirement id, or with one the catalog does not know, stops the
run at collection: every result must trace to a requirement."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

TAGGED = """
import pytest

@pytest.mark.requirement("{rid}")
def test_something():
    pass
"""


#: Collects the probe the way ``refarch conform`` runs the suite: the plugin object, holding
#: the run's options, handed to pytest (in a child process: a pytest session of its own).
COLLECT = """
import sys
import pytest
from refarch.conformance.options import RunOptions
from refarch.conformance.plugin import ConformanceRun

run = ConformanceRun(RunOptions(base_url="http://127.0.0.1:9", admin_email="", admin_password=""))
args = [sys.argv[1], "-c", sys.argv[2], "--disable-plugin-autoload", "-p", "no:cacheprovider"]
sys.exit(pytest.main([*args, "--collect-only", "-q"], plugins=[run]))
"""


def _collect(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_probe.py").write_text(source)
    (tmp_path / "pytest.toml").write_text("[pytest]\n")
    return subprocess.run(
        [sys.executable, "-c", COLLECT, str(tmp_path), str(tmp_path / "pytest.toml")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )


@pytest.mark.parametrize(
    ("source", "complaint"),
    [
        (TAGGED.format(rid="ORD-999"), "requirement 'ORD-999' is not in the catalog"),
        ("def test_untagged():\n    pass\n", "no @pytest.mark.requirement"),
    ],
    ids=["unknown-id", "untagged"],
)
def test_collection_fails_for_untraceable_tests(
    tmp_path: Path, source: str, complaint: str
) -> None:
    result = _collect(tmp_path, source)
    assert result.returncode == pytest.ExitCode.USAGE_ERROR, result.stdout + result.stderr
    assert complaint in result.stdout + result.stderr


def test_a_known_id_collects(tmp_path: Path) -> None:
    result = _collect(tmp_path, TAGGED.format(rid="ORD-002"))
    assert result.returncode == pytest.ExitCode.OK, result.stdout + result.stderr
