"""The shop journey through the generated Python clients alone, against the real reference
implementation: what a consumer team gets from `openapi-python-client` and the bundles."""

from __future__ import annotations

import importlib
import time
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.clients.generators import Generated, package_name
from tests.support.server import ServerHandle, reference_server

pytestmark = pytest.mark.xdist_group("clients")

PASSWORD = "a long journey passphrase"
WAIT_SECONDS = 10.0


@pytest.fixture
def server(tmp_path: Path, database_url: str) -> Any:
    with reference_server(tmp_path, database_url) as handle:
        yield handle


class GeneratedClients:
    """Imports from the generated packages: ``of("orders", "api.orders.place_order")``."""

    def __init__(self, generated: dict[str, Generated]) -> None:
        failed = {service: g.output for service, g in generated.items() if g.returncode != 0}
        assert not failed, failed

    def of(self, service: str, module: str) -> ModuleType:
        return importlib.import_module(f"{package_name(service)}.{module}")


def _client(gen: GeneratedClients, service: str, server: ServerHandle, token: str | None) -> Any:
    module = gen.of(service, "client")
    if token is None:
        return module.Client(base_url=server.api_url, raise_on_unexpected_status=True)
    return module.AuthenticatedClient(
        base_url=server.api_url, token=token, raise_on_unexpected_status=True
    )


def _login(gen: GeneratedClients, server: ServerHandle, email: str, password: str) -> str:
    models = gen.of("users", "models")
    login = gen.of("users", "api.auth.login")
    tokens = login.sync(
        client=_client(gen, "users", server, None),
        body=models.LoginRequest(email=email, password=password),
    )
    assert isinstance(tokens, models.TokenPair), tokens
    return str(tokens.access_token)


def test_shop_journey_through_the_generated_python_clients(
    python_clients: dict[str, Generated], server: ServerHandle
) -> None:
    gen = GeneratedClients(python_clients)
    users, catalog, orders = (gen.of(s, "models") for s in ("users", "catalog", "orders"))

    # register and log in as a customer; log in as the bootstrap admin
    email = f"client-{uuid.uuid4().hex[:10]}@example.com"
    registered = gen.of("users", "api.auth.register_user").sync(
        client=_client(gen, "users", server, None),
        body=users.RegisterRequest(
            email=email, password=PASSWORD, first_name="Grace", last_name="Hopper"
        ),
    )
    assert isinstance(registered, users.User) and registered.role == users.Role.CUSTOMER
    customer = _login(gen, server, email, PASSWORD)
    admin = _login(gen, server, server.admin_email, server.admin_password)

    # an administrator adds a product; stock comes from the request, name sorts find it
    product = gen.of("catalog", "api.products.create_product").sync(
        client=_client(gen, "catalog", server, admin),
        body=catalog.ProductCreate(
            sku=f"GEN-{uuid.uuid4().hex[:8].upper()}",
            name="Generated kettle",
            price=catalog.Money(amount=3999, currency=catalog.Currency.EUR),
            stock=2,
        ),
    )
    assert isinstance(product, catalog.Product) and product.stock == 2
    page = gen.of("catalog", "api.products.list_products").sync(
        client=_client(gen, "catalog", server, None),
        q="kettle",
        sort=catalog.ListProductsSort.PRICE_DESC,
    )
    assert isinstance(page, catalog.ProductPage)
    assert product.id in [item.id for item in page.items]

    # place an order with an Idempotency-Key, replay it: the same order comes back
    place_order = gen.of("orders", "api.orders.place_order")
    customer_orders = _client(gen, "orders", server, customer)
    address = orders.Address(
        name="Grace Hopper",
        line1="1 Harbour Road",
        city="Arlington",
        postal_code="22201",
        country="US",
    )  # line2 left unset: the generated model leaves it out of the JSON
    body = orders.PlaceOrderRequest(
        items=[orders.OrderLineRequest(product_id=product.id, quantity=1)],
        shipping_address=address,
    )
    key = str(uuid.uuid4())
    first = place_order.sync_detailed(client=customer_orders, body=body, idempotency_key=key)
    replay = place_order.sync_detailed(client=customer_orders, body=body, idempotency_key=key)
    assert first.status_code == 201 and isinstance(first.parsed, orders.Order)
    assert replay.status_code == 201 and isinstance(replay.parsed, orders.Order)
    assert replay.parsed.id == first.parsed.id
    assert replay.headers.get("idempotent-replayed") == "true"
    order = first.parsed
    assert order.status == orders.OrderStatus.PENDING
    assert order.total.amount == 3999

    # more than the one unit left: a typed 409 that lists the short line
    short = place_order.sync_detailed(
        client=customer_orders,
        body=orders.PlaceOrderRequest(
            items=[orders.OrderLineRequest(product_id=product.id, quantity=5)],
            shipping_address=address,
        ),
    )
    assert short.status_code == 409
    assert isinstance(short.parsed, orders.OrderConflictProblem)
    assert [
        (line.product_id, line.requested, line.available) for line in short.parsed.out_of_stock
    ] == [(product.id, 5, 1)]

    # an invalid line: a typed 422 whose field errors point at the input
    invalid = place_order.sync_detailed(
        client=customer_orders,
        body=orders.PlaceOrderRequest(
            items=[orders.OrderLineRequest(product_id=product.id, quantity=0)],
            shipping_address=address,
        ),
    )
    assert invalid.status_code == 422
    assert isinstance(invalid.parsed, orders.Problem)
    assert [(e.in_, e.field) for e in invalid.parsed.errors] == [
        (orders.FieldErrorIn.BODY, "/items/0/quantity")
    ]

    # read the order back and cancel it
    fetched = gen.of("orders", "api.orders.get_order").sync(order.id, client=customer_orders)
    assert isinstance(fetched, orders.Order) and fetched.id == order.id
    cancelled = gen.of("orders", "api.orders.cancel_order").sync(order.id, client=customer_orders)
    assert isinstance(cancelled, orders.Order)
    assert cancelled.status == orders.OrderStatus.CANCELLED

    # the notifications the order caused reach the customer (delivered by the outbox relay)
    notifications = gen.of("notifications", "models")
    list_mine = gen.of("notifications", "api.notifications.list_my_notifications")
    expected = {
        notifications.NotificationType.WELCOME,
        notifications.NotificationType.ORDER_CONFIRMATION,
        notifications.NotificationType.ORDER_STATUS_CHANGED,
    }
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        mine = list_mine.sync(client=_client(gen, "notifications", server, customer))
        assert isinstance(mine, notifications.NotificationPage)
        received = {item.type_ for item in mine.items}
        if received >= expected or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert received >= expected
