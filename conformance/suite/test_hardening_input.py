"""Hostile but well-formed input at the protocol edge: duplicate JSON keys, deep nesting,
repeated query parameters, undeclared media types, HEAD and unknown methods. Each must be
refused (or served) cleanly, never guessed at and never a 5xx."""

from __future__ import annotations

import socket
import ssl
import statistics
import threading
import time
import uuid

import httpx
import pytest

from refarch.conformance.actors import Actor
from refarch.conformance.evidence import ApiClient
from refarch.conformance.expect import expect, expect_problem, expect_status
from refarch.conformance.options import current_run
from refarch.conformance.schemas import operation_index
from refarch.conformance.testdata import MISSING_ID

pytestmark = [pytest.mark.layer("scenarios"), pytest.mark.services("users")]
JSON = {"Content-Type": "application/json"}
RUN = current_run()
PROBES = 9 if RUN.quick else 21


def _register_body(email: str) -> str:
    return f'"email": "{email}", "password": "a long enough passphrase", "first_name": "Dup"'


@pytest.mark.requirement("API-016")
def test_duplicate_json_keys_answer_400(api: ApiClient) -> None:
    first = f"dup-{uuid.uuid4().hex[:12]}@example.com"
    second = f"dup-{uuid.uuid4().hex[:12]}@example.com"
    # the same member twice: a reader keeping the first and one keeping the last disagree
    raw = "{" + _register_body(first) + f', "email": "{second}", "last_name": "Keys"' + "}"
    response = api.post("/auth/register", content=raw.encode(), headers=JSON)
    expect_problem(response, 400, why="a body that names a member twice is ambiguous")


@pytest.mark.requirement("API-017")
def test_deeply_nested_json_is_refused_at_any_depth(api: ApiClient) -> None:
    # depths either side of common recursion limits (a validator's ~250, a parser's 1024)
    for depth in (64, 300, 1000, 1100, 5000):
        nested = "[" * depth + "]" * depth
        raw = "{" + _register_body(f"deep-{uuid.uuid4().hex[:12]}@example.com")
        raw += f', "last_name": {nested}' + "}"
        response = api.post("/auth/register", content=raw.encode(), headers=JSON)
        expect(
            400 <= response.status_code < 500,
            f"a body nested {depth} levels deep is refused with a 4xx, never a 5xx",
            response,
        )
        expect_problem(response, response.status_code, why=f"JSON nested {depth} levels deep")


def _many_empty_objects(size: int) -> bytes:
    """``{"items": [{}, {}, ...]}`` of about ``size`` bytes: cheap to send, and expensive
    to decode and validate for a server that does not bound the work."""
    return b'{"items": [' + b",".join([b"{}"] * (size // 3)) + b"]}"


@pytest.mark.services("users", "catalog", "orders")
@pytest.mark.requirement("API-018")
def test_hostile_bodies_do_not_stall_other_clients(api: ApiClient, alice: Actor) -> None:
    budget_ms = float(operation_index(RUN.version)[("GET", "/products")].spec["x-slo"]["p99_ms"])
    # under the 1 MiB body limit of API-004, so that the server has to read it whole
    body = _many_empty_objects(1024 * 1024 - 64)
    stop = threading.Event()
    answered: list[int] = []

    def attack() -> None:
        # plain httpx: the evidence log would keep a copy of every 1 MiB body
        with httpx.Client(base_url=RUN.api_url, timeout=120.0) as client:
            while not stop.is_set():
                response = client.post("/orders", content=body, headers={**JSON, **alice.headers})
                answered.append(response.status_code)

    attackers = [threading.Thread(target=attack) for _ in range(2)]
    for thread in attackers:
        thread.start()
    probes: list[float] = []
    try:
        deadline = time.monotonic() + 60
        while not answered and time.monotonic() < deadline:
            time.sleep(0.01)  # the attack is under way once one body was answered
        with httpx.Client(base_url=RUN.api_url, timeout=budget_ms * 10 / 1000) as client:
            for _ in range(PROBES):
                started = time.perf_counter()
                try:
                    client.get("/products")
                    probes.append((time.perf_counter() - started) * 1000)
                except httpx.TimeoutException:
                    probes.append(float("inf"))
    finally:
        stop.set()
        for thread in attackers:
            thread.join(180)
    expect(
        bool(answered) and all(400 <= status < 500 for status in answered),
        "bodies of 350,000 empty order lines are refused with a 4xx",
        None,
        f"statuses {sorted(set(answered))}",
    )
    median = statistics.median(probes)
    expect(
        median <= budget_ms,
        f"listProducts answers within its p99 budget of {budget_ms:.0f} ms (median) while "
        "another client sends such bodies",
        None,
        f"median {median:.0f} ms over {PROBES} probes: {sorted(round(p) for p in probes)}",
    )


@pytest.mark.requirement("API-019")
def test_json_under_another_media_type_answers_415(api: ApiClient) -> None:
    body = b'{"email": "nobody@example.com", "password": "a long enough passphrase"}'
    for media_type in ("application/evil+json", "text/json", "application/jsonx"):
        response = api.post("/auth/login", content=body, headers={"Content-Type": media_type})
        expect_problem(response, 415, why=f"{media_type} is not the declared application/json")


@pytest.mark.services("catalog")
@pytest.mark.requirement("API-020")
def test_a_repeated_single_valued_query_parameter_is_refused(api: ApiClient) -> None:
    for query in ("limit=1&limit=abc", "limit=abc&limit=1", "limit=5&limit=7"):
        response = api.get(f"/products?{query}")
        expect_status(response, 400, 422, why=f"?{query} gives one parameter two values")
        expect_problem(response, response.status_code, why=f"?{query} is refused as a problem")


@pytest.mark.services("catalog")
@pytest.mark.requirement("API-021")
def test_head_answers_like_get_without_a_body(api: ApiClient) -> None:
    get, head = api.get("/products?limit=2"), api.head("/products?limit=2")
    expect_status(head, get.status_code, why="HEAD answers the status GET does")
    expect(head.content == b"", "a HEAD response has no body", head)
    for name in ("content-type", "content-length"):
        expect(
            head.headers.get(name) == get.headers.get(name),
            f"HEAD sends the {name} GET sends",
            head,
            f"HEAD {head.headers.get(name)!r}, GET {get.headers.get(name)!r}",
        )
    missing = api.head(f"/products/{MISSING_ID}")
    expect_status(missing, 404, why="HEAD on a missing product answers GET's 404")


def _raw_exchange(request: bytes, wait_seconds: float) -> tuple[bytes, bool]:
    """Send ``request`` on a fresh connection and wait up to ``wait_seconds`` for the
    server to answer and close. Returns (what it sent, whether it closed in time)."""
    url = httpx.URL(RUN.base_url)
    port = url.port or (443 if url.scheme == "https" else 80)
    deadline = time.monotonic() + wait_seconds
    answer = b""
    with socket.create_connection((url.host, port), timeout=wait_seconds) as conn:
        if url.scheme == "https":
            conn = ssl.create_default_context().wrap_socket(conn, server_hostname=url.host)
        try:
            conn.sendall(request)
            while time.monotonic() < deadline:
                conn.settimeout(max(deadline - time.monotonic(), 0.01))
                chunk = conn.recv(65536)
                if not chunk:
                    return answer, True
                answer += chunk
        except TimeoutError:
            return answer, False
        except OSError:  # reset by the server: it closed the connection
            return answer, True
    return answer, False


def _status_of(answer: bytes) -> int | None:
    line = answer.split(b"\r\n", 1)[0].split(b" ")
    return int(line[1]) if len(line) > 1 and line[1].isdigit() else None


@pytest.mark.requirement("API-001")
def test_an_unknown_method_is_refused_as_problem_json(api: ApiClient) -> None:
    response = api.request("FOO", "/products")
    expect(
        response.status_code in (400, 405, 501),
        "an unknown method is refused with 400, 405 or 501",
        response,
    )
    expect_problem(response, response.status_code, why="an unknown method FOO")
    expect(
        response.headers.get("x-content-type-options") == "nosniff"
        and bool(response.headers.get("x-request-id")),
        "the refusal carries nosniff and an X-Request-ID like every response",
        response,
    )


@pytest.mark.requirement("API-022")
def test_a_request_line_that_never_finishes_is_cut_off(api: ApiClient) -> None:
    url = httpx.URL(RUN.api_url)
    request = f"GET {url.path}/products HTTP/1.1\r\nHost: {url.host}\r\n".encode()
    answer, closed = _raw_exchange(request, 65)  # and never the blank line that ends it
    expect(
        closed,
        "a client that never finishes its headers is disconnected within 60 s",
        None,
        f"still open after 65 s; received {answer[:200]!r}",
    )
    expect(
        _status_of(answer) in (None, 408),
        "it is answered 408 (or just disconnected)",
        None,
        repr(answer[:200]),
    )


@pytest.mark.requirement("API-023")
def test_an_oversized_unfinished_header_is_refused(api: ApiClient) -> None:
    host = httpx.URL(RUN.base_url).host
    head = (
        f"GET {httpx.URL(RUN.api_url).path}/products HTTP/1.1\r\nHost: {host}\r\nX-Big: ".encode()
    )
    answer, closed = _raw_exchange(head + b"a" * (256 * 1024), 30)
    expect(
        closed and _status_of(answer) in (None, 400, 413, 431, 494),
        "256 KiB of header is refused with 431 (or 400) and the connection closed",
        None,
        f"closed={closed}; received {answer[:300]!r}",
    )
