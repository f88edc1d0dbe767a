"""Fixtures for the platform tests: the widgets fixture service on a real server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from reference_impl.platform.routing import SpecSource
from reference_impl.tokens import issue_access_token
from tests.reference_impl.platform.widgets import (
    build_widget_services,
    widget_registry,
    write_widget_specs,
)
from tests.support.server import ServerHandle, reference_server


@pytest.fixture(scope="session")
def widget_specs(tmp_path_factory: pytest.TempPathFactory) -> SpecSource:
    return write_widget_specs(tmp_path_factory.mktemp("widget-specs"))


@pytest.fixture
def use_widget_specs(widget_specs: SpecSource, monkeypatch: pytest.MonkeyPatch) -> SpecSource:
    # readiness checks migrations against the process-wide specs root
    assert widget_specs.root is not None
    monkeypatch.setenv("REFARCH_SPECS_DIR", str(widget_specs.root))
    return widget_specs


@pytest.fixture
def widget_server(
    tmp_path: Path, empty_database_url: str, use_widget_specs: SpecSource
) -> Iterator[ServerHandle]:
    with reference_server(
        tmp_path,
        empty_database_url,
        services_factory=build_widget_services,
        app_options={"specs": use_widget_specs, "registry": widget_registry()},
        env={"REFARCH_BODY_LIMIT_BYTES": str(64 * 1024)},
    ) as server:
        yield server


@pytest.fixture
def admin_token(widget_server: ServerHandle) -> str:
    token, _ = issue_access_token(widget_server.settings, uuid.uuid4(), "admin")
    return token


@pytest.fixture
def customer_token(widget_server: ServerHandle) -> str:
    token, _ = issue_access_token(widget_server.settings, uuid.uuid4(), "customer")
    return token
