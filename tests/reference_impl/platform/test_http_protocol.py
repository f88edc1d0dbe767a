"""The connection-level guards: read deadlines, header limits and problem+json refusals.

A real uvicorn server on loopback runs the guarded protocol (with short deadlines, so that
the tests wait half a second rather than ten) in front of a small ASGI app that reads the
whole body; clients are raw sockets, since the point is what a misbehaving client sends.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import psutil
import pytest
import uvicorn

from refarch.reference_impl.platform.gateway import SECURITY_HEADERS as GATEWAY_SECURITY_HEADERS
from refarch.reference_impl.platform.http_protocol import SECURITY_HEADERS, GuardedHttpProtocol

MIB = 1024 * 1024


class QuickDeadlines(GuardedHttpProtocol):
    header_timeout = 0.5
    body_timeout = 0.5


async def read_body_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        size += len(message.get("body", b""))
        if not message.get("more_body"):
            break
    body = json.dumps({"method": scope["method"], "received": size}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


@pytest.fixture(scope="module")
def server_address() -> Iterator[tuple[str, int]]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        read_body_app, http=QuickDeadlines, log_config=None, lifespan="off", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    yield sock.getsockname()
    server.should_exit = True
    thread.join(10)
    sock.close()


def _exchange(address: tuple[str, int], *parts: bytes, pause: float = 0.0) -> bytes:
    """Send ``parts`` (pausing between them), then read until the server closes."""
    with socket.create_connection(address, timeout=10) as conn:
        for part in parts:
            try:
                conn.sendall(part)
            except OSError:
                break  # the server already refused and closed
            time.sleep(pause)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    return answer


def _problem(answer: bytes, status: int) -> dict[str, Any]:
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0].startswith(f"HTTP/1.1 {status} "), lines[0]
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    assert headers["content-type"] == "application/problem+json"
    assert headers["x-content-type-options"] == "nosniff"
    assert len(headers["x-request-id"]) == 32
    problem = json.loads(body)
    assert problem["status"] == status and problem["request_id"] == headers["x-request-id"]
    return problem


def test_an_unknown_method_answers_501_problem_json(server_address: tuple[str, int]) -> None:
    answer = _exchange(server_address, b"FOO / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert "method" in _problem(answer, 501)["detail"]


def test_a_malformed_request_line_answers_400_problem_json(
    server_address: tuple[str, int],
) -> None:
    answer = _exchange(server_address, b"GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n")
    _problem(answer, 400)


def test_too_many_header_fields_answer_431(server_address: tuple[str, int]) -> None:
    headers = b"".join(b"X-Filler-%d: 1\r\n" % n for n in range(GuardedHttpProtocol.max_headers))
    answer = _exchange(server_address, b"GET / HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
    assert "header fields" in _problem(answer, 431)["detail"]


def test_a_header_larger_than_the_limit_answers_431(server_address: tuple[str, int]) -> None:
    big = b"X-Big: " + b"a" * GuardedHttpProtocol.max_header_bytes + b"\r\n"
    answer = _exchange(server_address, b"GET / HTTP/1.1\r\nHost: x\r\n" + big + b"\r\n")
    _problem(answer, 431)


def test_an_oversized_unfinished_header_arriving_in_one_read_answers_431(
    server_address: tuple[str, int],
) -> None:
    big = b"a" * (2 * GuardedHttpProtocol.max_header_bytes)  # one loopback read, never ended
    answer = _exchange(server_address, b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + big)
    _problem(answer, 431)


def test_unfinished_40_mb_headers_are_cut_off_without_growing_the_server(
    server_address: tuple[str, int],
) -> None:
    server = psutil.Process()  # the server runs in this process's thread
    before = server.memory_info().rss
    chunk = b"a" * MIB
    for _ in range(4):  # each never finishes its header: the parser would buffer it all
        answer = _exchange(server_address, b"GET / HTTP/1.1\r\nX-Big: ", *([chunk] * 40))
        _problem(answer, 431)
    grown = server.memory_info().rss - before
    assert grown < 16 * MIB, f"the server grew by {grown / MIB:.0f} MiB"


def test_a_request_line_that_never_finishes_gets_408_and_the_connection_closed(
    server_address: tuple[str, int],
) -> None:
    answer = _exchange(server_address, b"GET /slow")  # and then nothing, as slowloris does
    assert "did not arrive" in _problem(answer, 408)["detail"]


def test_a_connection_that_sends_nothing_is_closed_with_408(
    server_address: tuple[str, int],
) -> None:
    _problem(_exchange(server_address), 408)


def test_a_body_trickling_in_is_cut_off_with_408(server_address: tuple[str, int]) -> None:
    head = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n"
    answer = _exchange(server_address, head, *([b"x"] * 100), pause=0.1)
    assert "body" in _problem(answer, 408)["detail"]


def test_a_prompt_request_on_a_kept_alive_connection_is_served(
    server_address: tuple[str, int],
) -> None:
    request = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"
    with socket.create_connection(server_address, timeout=10) as conn:
        for _ in range(3):
            conn.sendall(request)
            answer = b""
            while not answer.endswith(b"}"):
                answer += conn.recv(65536)
            assert answer.startswith(b"HTTP/1.1 200 "), answer
            assert answer.endswith(b'{"method": "POST", "received": 2}')
            time.sleep(0.7)  # idle past the header deadline, within the keep-alive one


def test_a_body_arriving_with_the_next_requests_first_bytes_is_not_counted_as_headers(
    server_address: tuple[str, int],
) -> None:
    body = b"x" * (4 * GuardedHttpProtocol.max_header_bytes)
    first = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body)
    second = b"POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 2\r\n"
    # one read holds most of the first body and the start of the second request's headers
    parts = (first + body[:100], body[100:] + second[:20], second[20:] + b"\r\n{}")
    answer = _exchange(server_address, *parts, pause=0.2)
    assert answer.count(b"HTTP/1.1 200 ") == 2, answer[:500]
    assert b'"received": %d' % len(body) in answer and b'"received": 2' in answer


def test_refusals_carry_the_gateways_security_headers() -> None:
    for name, value in GATEWAY_SECURITY_HEADERS:
        assert name + b": " + value + b"\r\n" in SECURITY_HEADERS
