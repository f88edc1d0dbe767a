"""One running reference implementation passes the v1 and the v2 suite, one after the other,
on the same database: v2's migrations and data leave v1 conformant, and v1's data leaves
v2 conformant (ADR 0044, 0045). Both runs are given the broker: the events are versioned
apart from the HTTP API, so the v2 run judges them by asyncapi/v1.yaml too."""

from __future__ import annotations

from pathlib import Path

import pytest

from refarch.conformance.out_of_reach import OUT_OF_REACH
from tests.conformance.conform_runner import run_conform
from tests.support.server import ServerHandle


@pytest.mark.slow
def test_v2_then_v1_suites_pass_against_one_server(reference: ServerHandle, tmp_path: Path) -> None:
    broker_url = reference.settings.nats_url
    assert broker_url, "the conformance tests' reference server runs with a broker"
    for version in ("v2", "v1"):
        run = run_conform(
            reference.base_url, tmp_path / version, "--quick", "--seed", "3",
            "--spec-version", version, "--broker-url", broker_url,
            admin_email=reference.admin_email, admin_password=reference.admin_password,
        )  # fmt: skip
        assert run.exit_code == 0, f"{version}:\n{run.output[-6000:]}"
        assert run.report["conformant"] is True
        assert run.report["run"]["version"] == version
        statuses = run.requirement_status()
        skipped = {rid for rid, status in statuses.items() if status == "skipped"}
        # the event rules (inherited by v2 from v1) are judged in both versions
        events = {rid: status for rid, status in statuses.items() if rid.startswith("EVT-")}
        assert events == {f"EVT-00{n}": "passed" for n in range(1, 9)}, (version, events)
        assert skipped <= set(OUT_OF_REACH), skipped
        new_in_v2 = {"ORD-018", "ORD-019", "API-024", "API-025"}
        if version == "v2":
            assert all(statuses[rid] == "passed" for rid in new_in_v2), statuses
        else:
            assert not new_in_v2 & set(statuses)
            assert statuses["API-026"] == "passed"
