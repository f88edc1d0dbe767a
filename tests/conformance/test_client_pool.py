"""The suite's clients do not reuse a connection the server may be closing as it idles out.

A real uvicorn server on loopback with gunicorn's 2 s keep-alive timeout answers with the
client's port, so the test sees whether a request went out on a pooled connection.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from refarch.conformance.evidence import KEEPALIVE_EXPIRY_SECONDS, ApiClient, AsyncApiClient

SERVER_KEEP_ALIVE_SECONDS = 2  # gunicorn's default, the shortest of the common servers


async def client_port_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    body = str(scope["client"][1]).encode()
    headers = [(b"content-type", b"text/plain"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        client_port_app,
        log_config=None,
        lifespan="off",
        access_log=False,
        timeout_keep_alive=SERVER_KEEP_ALIVE_SECONDS,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    host, port = sock.getsockname()
    yield f"http://{host}:{port}"
    server.should_exit = True
    thread.join(10)
    sock.close()


# idle past the client's expiry, well within the server's keep-alive: the server would
# still take the connection, but a longer client expiry meets the server's close at its edge
IDLE = (KEEPALIVE_EXPIRY_SECONDS + SERVER_KEEP_ALIVE_SECONDS) / 2


def test_an_api_client_opens_a_new_connection_after_idling(base_url: str) -> None:
    with ApiClient(base_url=base_url, timeout=10) as client:
        first = client.get("/").text
        assert client.get("/").text == first  # back to back: the pooled connection
        time.sleep(IDLE)
        assert client.get("/").text != first


def test_an_async_api_client_opens_a_new_connection_after_idling(base_url: str) -> None:
    async def ports() -> tuple[str, str, str]:
        async with AsyncApiClient(base_url=base_url, timeout=10) as client:
            first = (await client.get("/")).text
            again = (await client.get("/")).text
            await asyncio.sleep(IDLE)
            return first, again, (await client.get("/")).text

    first, again, after_idle = asyncio.run(ports())
    assert again == first
    assert after_idle != first
