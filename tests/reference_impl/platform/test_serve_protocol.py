"""`refarch serve` runs the guarded HTTP protocol: what the HTTP parser refuses is answered
as problem+json too, not uvicorn's text/plain."""

from __future__ import annotations

import json
import socket
from pathlib import Path

from tests.support.server import reference_server


def _raw(port: int, request: bytes) -> tuple[str, dict[str, str], bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(request)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    return status, dict(line.lower().split(": ", 1) for line in lines), body


def test_refarch_serve_answers_parser_refusals_as_problem_json(
    tmp_path: Path, database_url: str
) -> None:
    with reference_server(tmp_path, database_url, subprocess=True) as server:
        port = int(server.base_url.rsplit(":", 1)[1])
        status, headers, body = _raw(port, b"FOO /api/v1/products HTTP/1.1\r\nHost: x\r\n\r\n")
        assert status.startswith("HTTP/1.1 501 ")
        assert headers["content-type"] == "application/problem+json"
        assert headers["x-content-type-options"] == "nosniff"
        assert json.loads(body)["request_id"] == headers["x-request-id"]
        big = b"X-Big: " + b"a" * 64 * 1024
        status, headers, _ = _raw(port, b"GET /api/v1/products HTTP/1.1\r\n" + big)
        assert status.startswith("HTTP/1.1 431 ")
        assert headers["content-type"] == "application/problem+json"
