"""Exit code 2 with a message saying why, whenever the suite cannot run at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conformance.conform_runner import run_conform
from tests.support.server import ServerHandle, free_port

# the module's reference server takes several seconds to start
pytestmark = pytest.mark.slow


def test_an_unreachable_target_exits_2_and_says_so(tmp_path: Path) -> None:
    run = run_conform(
        f"http://127.0.0.1:{free_port()}",
        tmp_path,
        admin_email="a@example.com",
        admin_password="x" * 16,
    )
    assert run.exit_code == 2
    assert "target unreachable" in run.output and "--base-url" in run.output


def test_bad_admin_credentials_exit_2_and_say_so(reference: ServerHandle, tmp_path: Path) -> None:
    run = run_conform(
        reference.base_url,
        tmp_path,
        admin_email=reference.admin_email,
        admin_password="wrong-password-123",
    )
    assert run.exit_code == 2
    assert "admin login" in run.output and "refused" in run.output


def test_missing_admin_credentials_exit_2_and_say_how_to_set_them(
    reference: ServerHandle, tmp_path: Path
) -> None:
    run = run_conform(reference.base_url, tmp_path)
    assert run.exit_code == 2
    assert "REFARCH_CONFORM_ADMIN_EMAIL" in run.output


def test_an_unknown_service_exits_2_and_lists_the_known_ones(
    reference: ServerHandle, tmp_path: Path
) -> None:
    run = run_conform(
        reference.base_url, tmp_path, "--services", "users,payments",
        admin_email=reference.admin_email, admin_password=reference.admin_password,
    )  # fmt: skip
    assert run.exit_code == 2
    assert "unknown service(s): payments" in run.output and "catalog" in run.output


def test_an_unknown_requirement_id_exits_2_naming_it_and_the_valid_ones(
    reference: ServerHandle, tmp_path: Path
) -> None:
    run = run_conform(
        reference.base_url, tmp_path, "--requirements", "ORD-001,ord-04,ORD-999",
        admin_email=reference.admin_email, admin_password=reference.admin_password,
    )  # fmt: skip
    assert run.exit_code == 2
    assert "unknown id(s): ord-04 (did you mean ORD-004?), ORD-999" in run.output, run.output
    assert "AUTH-001, AUTH-002" in run.output, "the valid ids are listed"
    assert "pytest exit code" not in run.output
