"""Fixtures for the load gate's end-to-end tests: the real reference implementation, and a way
to run ``refarch load`` exactly as a CI job does (its own process, judged by exit code)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.server import ServerHandle, reference_server

#: A load run is bounded by its profile; this only stops a hung CLI from hanging the suite.
CLI_TIMEOUT_S = 150


@dataclass(frozen=True)
class LoadResult:
    exit_code: int
    output: str  # stdout and stderr together, as a CI log shows them
    report_dir: Path

    def verdict(self) -> dict[str, Any]:
        document: dict[str, Any] = json.loads(
            (self.report_dir / "verdict.json").read_text(encoding="utf-8")
        )
        return document

    def operation(self, name: str) -> dict[str, Any]:
        return next(op for op in self.verdict()["operations"] if op["operation"] == name)


RunLoad = Callable[..., LoadResult]


@pytest.fixture
def shop(tmp_path: Path, database_url: str) -> Iterator[ServerHandle]:
    """The reference implementation in its own process, as an operator runs it.

    Response validation is off: a load test measures the service as deployed, and the
    conformance suite is where response bodies are held to the schema.
    """
    with reference_server(
        tmp_path, database_url, subprocess=True, validate_responses=False
    ) as server:
        yield server


@pytest.fixture
def run_load(tmp_path: Path) -> RunLoad:
    """``run_load(base_url, "--flag", "value", ..., admin=(email, password))`` -> LoadResult."""
    runs = iter(range(1, 100))

    def run(base_url: str, *args: str, admin: tuple[str, str] | None = None) -> LoadResult:
        report_dir = tmp_path / f"report-{next(runs)}"
        command = [
            sys.executable, "-c", "from refarch.cli import main; main()", "load",
            "--base-url", base_url, "--report-dir", str(report_dir), *args,
        ]  # fmt: skip
        if admin is not None:
            command += ["--admin-email", admin[0], "--admin-password", admin[1]]
        completed = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT_S,
            check=False,
            cwd=tmp_path,
        )
        return LoadResult(completed.returncode, completed.stdout + completed.stderr, report_dir)

    return run


def admin_of(server: ServerHandle) -> tuple[str, str]:
    return server.admin_email, server.admin_password
