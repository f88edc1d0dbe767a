"""Before a run: is the target up, and does the admin account work? Each "no" says why.

The target here is a small real HTTP server on loopback whose answers each test chooses,
so every way a target can be unusable is met once (the CLIs' own tests run the same
checks against the reference implementation).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from refarch.target import TargetNotReady, admin_login, check_health
from tests.support.server import free_port

#: path -> (status, body, extra headers); each test fills it before calling the target
Answers = dict[str, tuple[int, str, dict[str, str]]]


@pytest.fixture
def target() -> Iterator[tuple[str, Answers]]:
    answers: Answers = {}

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            status, body, headers = answers.get(self.path, (404, "", {}))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body.encode())

        do_GET = do_POST = _answer

        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

    with ThreadingHTTPServer(("127.0.0.1", 0), Handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}/api/v1", answers
        finally:
            server.shutdown()
            thread.join()


def _login_as(api_url: str, email: str = "admin@example.com") -> str:
    with httpx.Client(timeout=5.0) as client:
        return admin_login(client, api_url, email, "a long passphrase", env_prefix="REFARCH_X")


def test_an_unreachable_target_names_the_url_and_the_option_to_fix() -> None:
    api_url = f"http://127.0.0.1:{free_port()}/api/v1"
    with httpx.Client(timeout=5.0) as client, pytest.raises(TargetNotReady) as raised:
        check_health(client, api_url)
    assert "target unreachable" in str(raised.value)
    assert f"GET {api_url}/health" in str(raised.value) and "--base-url" in str(raised.value)


def test_an_unhealthy_target_names_the_status(target: tuple[str, Answers]) -> None:
    api_url, answers = target
    answers["/api/v1/health"] = (503, "", {})
    with httpx.Client(timeout=5.0) as client, pytest.raises(TargetNotReady) as raised:
        check_health(client, api_url)
    assert "answered GET /api/v1/health with 503" in str(raised.value)


def test_a_healthy_target_passes(target: tuple[str, Answers]) -> None:
    api_url, answers = target
    answers["/api/v1/health"] = (200, '{"status": "ok"}', {})
    with httpx.Client(timeout=5.0) as client:
        check_health(client, api_url)


def test_rejected_credentials_name_the_environment_variables(target: tuple[str, Answers]) -> None:
    api_url, answers = target
    answers["/api/v1/auth/login"] = (401, "{}", {})
    with pytest.raises(TargetNotReady) as raised:
        _login_as(api_url)
    message = str(raised.value)
    assert "refused" in message and "were rejected (401)" in message
    assert "REFARCH_X_EMAIL/REFARCH_X_PASSWORD" in message


def test_a_throttled_login_says_when_to_retry(target: tuple[str, Answers]) -> None:
    api_url, answers = target
    answers["/api/v1/auth/login"] = (429, "{}", {"Retry-After": "30"})
    with pytest.raises(TargetNotReady, match=r"throttled \(429, Retry-After 30 s\)"):
        _login_as(api_url)


def test_a_body_that_is_not_json_is_named(target: tuple[str, Answers]) -> None:
    api_url, answers = target
    answers["/api/v1/auth/login"] = (200, "<html>login page</html>", {})
    with pytest.raises(TargetNotReady, match="not JSON"):
        _login_as(api_url)


def test_an_account_that_is_not_an_admin_is_refused(target: tuple[str, Answers]) -> None:
    api_url, answers = target
    answers["/api/v1/auth/login"] = (200, json.dumps({"access_token": "t"}), {})
    answers["/api/v1/users/me"] = (200, json.dumps({"role": "customer"}), {})
    with pytest.raises(TargetNotReady, match="can log in but is not an admin"):
        _login_as(api_url, "shopper@example.com")


def test_an_admin_gets_the_access_token(target: tuple[str, Answers]) -> None:
    api_url, answers = target
    answers["/api/v1/auth/login"] = (200, json.dumps({"access_token": "the-token"}), {})
    answers["/api/v1/users/me"] = (200, json.dumps({"role": "admin"}), {})
    assert _login_as(api_url) == "the-token"
