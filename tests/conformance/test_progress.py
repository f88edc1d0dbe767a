"""The conformance progress plugin in a real (inner) pytest session: totals per layer after
selection, done and failed counts, and no pytest dots beside it."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from refarch.conformance.progress import PYTEST_ARGS, ConformanceProgress

pytest_plugins = ["pytester"]

SUITE = """
import pytest

def test_scenario_passes(): pass

def test_scenario_fails(): assert False, "planted"

@pytest.fixture
def broken(): raise RuntimeError("set-up broke")

def test_scenario_with_broken_setup(broken): pass

@pytest.mark.layer("security")
def test_security_one(): pass

@pytest.mark.layer("security")
def test_security_two(): pass

@pytest.mark.layer("properties")
def test_property_skipped(): pytest.skip("not reachable")

@pytest.mark.layer("stateful")
def test_stateful_deselected(): pass
"""


def run_with_progress(pytester: pytest.Pytester) -> tuple[pytest.RunResult, str]:
    pytester.makeconftest(
        "def pytest_configure(config):\n"
        "    config.addinivalue_line('markers', 'layer(name): the layer')\n"
    )
    pytester.makepyfile(test_layers=SUITE)
    output = io.StringIO()
    progress = ConformanceProgress(Console(file=output, force_terminal=False, width=200))
    # -v first, as the conformance CLI passes it, so PYTEST_ARGS must undo it
    result = pytester.runpytest_inprocess(
        "-v", *PYTEST_ARGS, "-k", "not deselected", plugins=[progress]
    )
    return result, output.getvalue()


def test_counts_per_layer_after_selection_with_failures(pytester: pytest.Pytester) -> None:
    result, progress = run_with_progress(pytester)

    lines = progress.splitlines()
    assert lines[0] == "conformance: 6 tests (scenarios 3, security 2, properties 1)"
    final = lines[-1].split("  ", 1)[1]
    # the failed call and the failed set-up both count; the skip is done, not failed
    assert final == "scenarios 3/3 (2 failed)  security 2/2  properties 1/1"
    result.assert_outcomes(passed=3, failed=1, errors=1, skipped=1, deselected=1)


def test_pytest_prints_no_dots_or_test_lines_beside_it(pytester: pytest.Pytester) -> None:
    result, _ = run_with_progress(pytester)

    text = result.stdout.str()
    # everything pytest printed before its failure report: its header, but no
    # "test_layers.py .FE..s" line, no "PASSED" line per test (the CLI's -v), no counters
    before_report = text.split(" ERRORS ")[0]
    assert "rootdir: " in before_report
    assert "test_layers.py" not in before_report, before_report
    assert not re.search(r"^[.FEs]+ *$", before_report, re.MULTILINE), before_report
    assert "PASSED" not in before_report and "%]" not in before_report
    assert "planted" in text  # failures are still reported in pytest's summary...
    assert "FAILED test_layers.py::test_scenario_fails - AssertionError: planted" in text
