"""Inputs the gate cannot work with end in exit code 2 and one clear paragraph, never a traceback.

Files are checked before any traffic is sent, so those cases need no server at all.
"""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.loadtests.conftest import RunLoad, admin_of
from tests.support.server import ServerHandle, free_port

SOME_ADMIN = ("admin@example.com", "correct-horse-battery")


def assert_cannot_run(result_output: str, exit_code: int, expected: str) -> None:
    assert exit_code == 2, result_output
    assert "refarch load: could not run:" in result_output
    assert expected in result_output
    assert "Traceback" not in result_output


@pytest.mark.parametrize(
    ("flag", "content", "expected"),
    [
        ("--thresholds", None, "does not exist"),
        ("--thresholds", "[overall\np95_ms = 1\n", "is not valid TOML"),
        ("--thresholds", "[operations.placeOrdr]\np95_ms = 100\n", "operationId 'placeOrdr'"),
        ("--baseline", None, "does not exist"),
        ("--baseline", '{"format": "refarch-load-baseline/1"}', "is not a refarch load baseline"),
    ],
)
def test_a_missing_or_malformed_file_cannot_run(
    run_load: RunLoad, tmp_path: Path, flag: str, content: str | None, expected: str
) -> None:
    path = tmp_path / "input-file"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = run_load(f"http://127.0.0.1:{free_port()}", flag, str(path), admin=SOME_ADMIN)
    assert_cannot_run(result.output, result.exit_code, expected)


def test_an_unreachable_url_cannot_run(run_load: RunLoad) -> None:
    result = run_load(f"http://127.0.0.1:{free_port()}", admin=SOME_ADMIN)
    assert_cannot_run(result.output, result.exit_code, "cannot reach http://127.0.0.1:")


def test_a_url_that_is_not_the_api_cannot_run(run_load: RunLoad, tmp_path: Path) -> None:
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as not_the_api:
        threading.Thread(target=not_the_api.serve_forever, daemon=True).start()
        try:
            result = run_load(f"http://127.0.0.1:{not_the_api.server_port}", admin=SOME_ADMIN)
        finally:
            not_the_api.shutdown()
    assert_cannot_run(result.output, result.exit_code, "answered GET /api/v1/health with 404")


def test_more_users_than_the_profile_allows_cannot_run(run_load: RunLoad) -> None:
    result = run_load(f"http://127.0.0.1:{free_port()}", "--users", "5000", admin=SOME_ADMIN)
    assert_cannot_run(result.output, result.exit_code, "outside the smoke profile's range")


def test_a_chart_url_that_is_not_http_cannot_run(run_load: RunLoad) -> None:
    result = run_load(
        f"http://127.0.0.1:{free_port()}", "--chart-url", "load-report/", admin=SOME_ADMIN
    )
    assert_cannot_run(result.output, result.exit_code, "--chart-url 'load-report/' is not an")


def test_a_broker_url_that_is_not_nats_cannot_run(run_load: RunLoad) -> None:
    result = run_load(
        f"http://127.0.0.1:{free_port()}", "--broker-url", "http://broker:4222", admin=SOME_ADMIN
    )
    assert_cannot_run(result.output, result.exit_code, "--broker-url 'http://broker:4222' is not")


def test_no_admin_credentials_cannot_run(run_load: RunLoad) -> None:
    result = run_load(f"http://127.0.0.1:{free_port()}")
    assert_cannot_run(result.output, result.exit_code, "admin credentials are needed")


def test_wrong_admin_credentials_cannot_run(shop: ServerHandle, run_load: RunLoad) -> None:
    email, _ = admin_of(shop)
    result = run_load(shop.base_url, admin=(email, "not-the-password-at-all"))
    assert_cannot_run(result.output, result.exit_code, "were rejected (401)")
