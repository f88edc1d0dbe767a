"""A journey through every action that publishes an event, recording what each should publish.

Each step is one API call with an ``X-Request-ID`` of its own; after it answers, the journey
waits (up to the run's bound) for the events the AsyncAPI document says it causes, and
keeps what arrived. The tests then judge the recording, each for its own requirement, so a
fault fails the requirement it breaks rather than the first test that happens to notice.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from refarch.conformance.actors import Actor, Cleanup, actor_for
from refarch.conformance.events.log import EventLog, ReceivedEvent
from refarch.conformance.evidence import ApiClient
from refarch.conformance.expect import expect_status, json_object
from refarch.conformance.shop import order_body
from refarch.conformance.testdata import random_email, random_password, random_sku

__all__ = ["Expected", "Journey", "Step", "new_request_id", "run_journey"]


def new_request_id() -> str:
    return f"conform-{uuid.uuid4().hex}"


@dataclass(frozen=True)
class Expected:
    """An event a step must publish: its type, its aggregate, and the data ids it names."""

    type: str
    aggregate_id: str
    data: dict[str, Any] = field(default_factory=dict)  # members that must be equal

    def after(self, mark: int) -> Callable[[ReceivedEvent], bool]:
        """Matches this expectation among the events that arrived after position ``mark``."""
        return lambda event: event.index >= mark and self.matches(event)

    def matches(self, event: ReceivedEvent) -> bool:
        return (
            event.type == self.type
            and event.aggregate[1] == self.aggregate_id
            and all(event.data.get(k) == v for k, v in self.data.items() if k.endswith("_id"))
        )


@dataclass
class Step:
    operation_id: str
    request_id: str
    response: httpx.Response
    expected: list[Expected]
    #: expected event -> what arrived for it within the bound (empty when nothing did)
    arrived: dict[int, list[ReceivedEvent]] = field(default_factory=dict)
    #: expected event -> events of its type after the call that name other ids, when none
    #: named the right ones (tells "published with a wrong id" from "not published")
    strays: dict[int, list[ReceivedEvent]] = field(default_factory=dict)

    def received(self, index: int) -> list[ReceivedEvent]:
        return self.arrived.get(index, [])

    def published(self, index: int) -> list[ReceivedEvent]:
        """What the step published for expected event ``index``, right ids or not."""
        return self.arrived.get(index) or self.strays.get(index, [])


@dataclass
class Journey:
    user_id: str = ""
    product_id: str = ""
    orders: list[str] = field(default_factory=list)  # [delivered order, cancelled order]
    steps: list[Step] = field(default_factory=list)

    def aggregates(self) -> list[tuple[str, str]]:
        return [
            ("user", self.user_id),
            ("product", self.product_id),
            *(("order", order_id) for order_id in self.orders),
        ]


class _Driver:
    def __init__(self, api: ApiClient, log: EventLog, timeout: float, journey: Journey) -> None:
        self.api, self.log, self.timeout, self.journey = api, log, timeout, journey

    def call(
        self,
        operation_id: str,
        send: Callable[[dict[str, str]], httpx.Response],
        status: int,
        why: str,
        expected: Callable[[dict[str, Any]], list[Expected]],
    ) -> dict[str, Any]:
        request_id = new_request_id()
        mark = len(self.log.events())
        response = expect_status(send({"X-Request-ID": request_id}), status, why=why)
        body = json_object(response) if response.content else {}
        step = Step(operation_id, request_id, response, expected(body))
        for index, wanted in enumerate(step.expected):
            # only what this call published: earlier steps' events match the same ids
            step.arrived[index] = self.log.wait_for(wanted.after(mark), self.timeout)
            if not step.arrived[index]:
                step.strays[index] = [
                    e for e in self.log.events() if e.index >= mark and e.type == wanted.type
                ]
        self.journey.steps.append(step)
        return body


def run_journey(
    api: ApiClient, admin: Actor, cleanup: Cleanup, log: EventLog, timeout: float
) -> Journey:
    journey = Journey()
    drive = _Driver(api, log, timeout, journey)
    admin_headers = admin.headers

    email, password = random_email("events"), random_password()
    registration = {"email": email, "password": password, "first_name": "Eve", "last_name": "Vent"}
    user = drive.call(
        "registerUser",
        lambda h: api.post("/auth/register", json=registration, headers=h),
        201,
        "registering a new account succeeds",
        lambda b: [Expected("user.registered", b["id"], {"user_id": b["id"]})],
    )
    journey.user_id = user["id"]
    customer = actor_for(api, email, password)

    product_body = {
        "sku": random_sku(),
        "name": "Event widget",
        "price": {"amount": 1500, "currency": "EUR"},
        "stock": 10,
    }
    product = drive.call(
        "createProduct",
        lambda h: api.post("/products", json=product_body, headers={**admin_headers, **h}),
        201,
        "an admin creates a product",
        lambda b: [Expected("product.created", b["id"], {"product_id": b["id"]})],
    )
    journey.product_id = pid = product["id"]
    cleanup.delete(f"/products/{pid}")
    drive.call(
        "updateProduct",
        lambda h: api.patch(
            f"/products/{pid}",
            json={"price": {"amount": 1400, "currency": "EUR"}},
            headers={**admin_headers, **h},
        ),
        200,
        "an admin changes the price",
        lambda b: [Expected("product.updated", pid, {"product_id": pid})],
    )
    drive.call(
        "adjustStock",
        lambda h: api.post(
            f"/products/{pid}/stock-adjustments",
            json={"delta": 5, "reason": "conformance count"},
            headers={**admin_headers, **h},
        ),
        200,
        "an admin adds stock",
        lambda b: [Expected("product.stock_changed", pid, {"product_id": pid})],
    )

    def place(quantity: int) -> dict[str, Any]:
        return drive.call(
            "placeOrder",
            lambda h: api.post(
                "/orders",
                json=order_body((pid, quantity)),
                headers={**customer.headers, **h, "Idempotency-Key": str(uuid.uuid4())},
            ),
            201,
            "the customer places an order in stock",
            lambda b: [
                Expected("order.placed", b["id"], {"order_id": b["id"], "user_id": user["id"]}),
                Expected("product.stock_changed", pid, {"product_id": pid, "order_id": b["id"]}),
            ],
        )

    def transition(order_id: str, to: str) -> None:
        drive.call(
            "transitionOrder",
            lambda h: api.post(
                f"/orders/{order_id}/transitions",
                json={"to": to},
                headers={**admin_headers, **h},
            ),
            200,
            f"an admin moves the order to {to}",
            lambda b: [Expected("order.status_changed", order_id, {"order_id": order_id})],
        )

    delivered = place(2)["id"]
    journey.orders.append(delivered)
    for status in ("paid", "shipped", "delivered"):
        transition(delivered, status)
    cancelled = place(1)["id"]
    journey.orders.append(cancelled)
    drive.call(
        "cancelOrder",
        lambda h: api.post(f"/orders/{cancelled}/cancel", headers={**customer.headers, **h}),
        200,
        "the customer cancels a pending order",
        lambda b: [
            Expected("order.cancelled", cancelled, {"order_id": cancelled}),
            Expected("product.stock_changed", pid, {"product_id": pid, "order_id": cancelled}),
        ],
    )
    uid = user["id"]
    drive.call(
        "adminUpdateUser",
        lambda h: api.patch(
            f"/users/{uid}", json={"status": "suspended"}, headers={**admin_headers, **h}
        ),
        200,
        "an admin suspends the account",
        lambda b: [Expected("user.updated", uid, {"user_id": uid})],
    )
    drive.call(
        "deleteUser",
        lambda h: api.delete(f"/users/{uid}", headers={**admin_headers, **h}),
        204,
        "an admin deletes the account",
        lambda b: [Expected("user.deleted", uid, {"user_id": uid})],
    )
    return journey
