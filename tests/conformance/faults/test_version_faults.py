"""The v2 suite (and v1's successor check) fail on deliberate version faults, by requirement.

The same faulty reference implementation as the other faults (one server, both versions);
each run targets the version the fault breaks with ``--spec-version``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conformance.conform_runner import ConformRun, run_conform
from tests.conformance.faults.conftest import FaultyReference
from tests.conformance.faults.version_faults import VERSION_FAULTS, VersionFault

pytestmark = pytest.mark.slow


def _conform(
    reference: FaultyReference, report_dir: Path, version: str, requirements: tuple[str, ...]
) -> ConformRun:
    server = reference.server
    return run_conform(
        server.base_url, report_dir, "--quick", "--seed", "7", "--spec-version", version,
        "--requirements", ",".join(requirements),
        admin_email=server.admin_email, admin_password=server.admin_password,
    )  # fmt: skip


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_without_a_fault_the_targeted_requirements_pass(
    faulty_reference: FaultyReference, version: str, tmp_path: Path
) -> None:
    targeted = tuple(sorted({f.requirement for f in VERSION_FAULTS if f.spec_version == version}))
    run = _conform(faulty_reference, tmp_path, version, targeted)
    assert run.exit_code == 0, run.output[-6000:]
    assert set(run.requirement_status()) >= set(targeted)
    assert all(run.requirement_status()[rid] == "passed" for rid in targeted)


@pytest.mark.parametrize("fault", VERSION_FAULTS, ids=lambda fault: fault.name)
def test_the_version_suite_fails_on_the_fault(
    faulty_reference: FaultyReference, fault: VersionFault, tmp_path: Path
) -> None:
    faulty_reference.switch.active = fault
    try:
        run = _conform(faulty_reference, tmp_path, fault.spec_version, fault.select)
    finally:
        faulty_reference.switch.active = None
    assert run.exit_code == 1, f"{fault.name} went unnoticed:\n{run.output[-4000:]}"
    assert fault.requirement in run.failed_requirements(), run.failed_requirements()
    assert f"FAIL {fault.requirement} " in run.output
