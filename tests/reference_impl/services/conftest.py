"""Services wired exactly as the platform wires them, on a real pool to a fresh database."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from reference_impl.bootstrap import Services, build_services
from reference_impl.catalog.domain import NewProduct, Product
from reference_impl.money import Money
from reference_impl.platform.contract import Principal
from reference_impl.platform.database import create_pool
from reference_impl.settings import Settings


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


def customer() -> Principal:
    """A caller with a fresh id: orders and notifications only need the id from the token."""
    return Principal(user_id=uuid.uuid4(), role="customer")


def admin() -> Principal:
    return Principal(user_id=uuid.uuid4(), role="admin")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}".upper()


async def new_product(
    services: Services, *, stock: int = 10, price: int = 1999, name: str = "Widget"
) -> Product:
    return await services.catalog.create_product(
        NewProduct(sku=unique("SKU"), name=name, price=Money(price), stock=stock)
    )


def order_body(*lines: tuple[Product, int]) -> dict[str, object]:
    return {
        "items": [
            {"product_id": str(product.id), "quantity": quantity} for product, quantity in lines
        ],
        "shipping_address": {
            "name": "Ada Lovelace",
            "line1": "12 Analytical Row",
            "city": "London",
            "postal_code": "N1 9GU",
            "country": "GB",
        },
    }
