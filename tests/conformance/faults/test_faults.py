"""The suite fails on every deliberate fault, and its report names the requirement broken.

One reference implementation serves all faults; a switch puts exactly one in force per
suite run, and each run selects only the requirements that fault should break (``--quick
--requirements``), so the whole matrix stays within a few minutes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conformance.conform_runner import ConformRun, run_conform
from tests.conformance.faults.asgi import Fault
from tests.conformance.faults.conftest import ALL_FAULTS, FaultyReference

pytestmark = pytest.mark.slow


def _conform(
    reference: FaultyReference, report_dir: Path, requirements: tuple[str, ...]
) -> ConformRun:
    server = reference.server
    return run_conform(
        server.base_url, report_dir, "--quick", "--seed", "7", "--requirements", ",".join(requirements),
        admin_email=server.admin_email, admin_password=server.admin_password,
    )  # fmt: skip


def test_there_are_at_least_20_distinct_faults() -> None:
    assert len({fault.name for fault in ALL_FAULTS}) == len(ALL_FAULTS) >= 20


def test_without_a_fault_the_targeted_requirements_pass(
    faulty_reference: FaultyReference, tmp_path: Path
) -> None:
    # guards against a fault "caught" by a check that fails anyway
    targeted = tuple(sorted({rid for fault in ALL_FAULTS for rid in fault.select}))
    run = _conform(faulty_reference, tmp_path, targeted)
    assert run.exit_code == 0, run.output[-6000:]


@pytest.mark.parametrize("fault", ALL_FAULTS, ids=lambda fault: fault.name)
def test_the_suite_fails_on_the_fault_and_names_the_requirement(
    faulty_reference: FaultyReference, fault: Fault, tmp_path: Path
) -> None:
    faulty_reference.switch.active = fault
    try:
        run = _conform(faulty_reference, tmp_path, fault.select)
    finally:
        faulty_reference.switch.active = None
    assert run.exit_code == 1, f"{fault.name} went unnoticed:\n{run.output[-4000:]}"
    assert fault.requirement in run.failed_requirements(), run.failed_requirements()
    assert f"FAIL {fault.requirement} " in run.output, "the CI log names the broken requirement"
    summary = (tmp_path / "conformance.md").read_text()
    assert f"### {fault.requirement}:" in summary
