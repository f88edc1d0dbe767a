"""Services wired exactly as the platform wires them, on a real pool to a fresh database."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from refarch.reference_impl.bootstrap import Services, build_services
from refarch.reference_impl.platform.database import create_pool
from refarch.reference_impl.settings import Settings


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        signing_key=secrets.token_bytes(32),
        login_max_failures=3,
        login_ip_max_failures=6,
        login_window_seconds=900,
        registration_ip_max=1000,  # many tests register from the same (empty) address
        outbox_poll_seconds=0.2,
    )


@pytest.fixture
async def pool(database_url: str, anyio_backend: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(database_url, min_size=2, max_size=20)
    yield pool
    await pool.close()


@pytest.fixture
async def services(pool: asyncpg.Pool, settings: Settings) -> Services:
    return await build_services(pool, settings)
