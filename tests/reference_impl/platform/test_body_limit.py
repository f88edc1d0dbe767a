"""Bodies over the limit are refused with 413 problem+json while they stream in, so a
huge upload never lands in memory (measured: a default Starlette app grew from 51 MB to
666 MB on a 200 MB POST)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import psutil
import pytest

from tests.reference_impl.platform.conftest import WIDGET_BODY_LIMIT
from tests.support.server import ServerHandle

CHUNK = b"x" * (64 * 1024)
MIB = 1024 * 1024


def _chunks(total: int) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        yield CHUNK
        sent += len(CHUNK)


def _post(server: ServerHandle, token: str, content: object, **headers: str) -> httpx.Response:
    return httpx.post(
        f"{server.api_url}/widgets",
        content=content,  # type: ignore[arg-type]
        headers={"authorization": f"Bearer {token}", "content-type": "application/json", **headers},
        timeout=60.0,
    )


def _assert_413(response: httpx.Response) -> None:
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 413


def test_declared_length_over_the_limit_is_refused_before_reading(
    widget_server: ServerHandle, admin_token: str
) -> None:
    total = 4 * WIDGET_BODY_LIMIT
    response = _post(widget_server, admin_token, _chunks(total), **{"content-length": str(total)})
    _assert_413(response)


def test_chunked_body_over_the_limit_is_refused(
    widget_server: ServerHandle, admin_token: str
) -> None:
    _assert_413(_post(widget_server, admin_token, _chunks(2 * WIDGET_BODY_LIMIT)))


def test_body_just_under_the_limit_is_read(widget_server: ServerHandle, admin_token: str) -> None:
    padding = WIDGET_BODY_LIMIT - 100
    body = b'{"name": "w", "items": [{"quantity": 1}]}' + b" " * padding
    assert len(body) <= WIDGET_BODY_LIMIT
    assert _post(widget_server, admin_token, body).status_code == 201


@pytest.mark.slow
def test_50_mib_streamed_body_is_413_without_growing_the_server(
    widget_server: ServerHandle, admin_token: str
) -> None:
    server_process = psutil.Process(widget_server.pid)
    _post(widget_server, admin_token, _chunks(2 * MIB))  # warm up buffers and code paths
    before = server_process.memory_info().rss
    response = _post(widget_server, admin_token, _chunks(50 * MIB))
    after = server_process.memory_info().rss
    _assert_413(response)
    assert after - before < 8 * MIB, f"server grew by {(after - before) / MIB:.1f} MiB"
