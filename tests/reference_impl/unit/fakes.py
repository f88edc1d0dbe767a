"""In-memory repositories and units of work: service logic tested without PostgreSQL.

One ``FakeDatabase`` holds every table the fakes need. A fake unit of work opened on its
own takes a snapshot and puts it back unless committed, so a refused order leaves nothing
behind, as the real transaction would; one opened ``within`` another shares its fate.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from refarch.reference_impl.catalog.domain import MAX_STOCK, PricedLine, Product
from refarch.reference_impl.events import Event
from refarch.reference_impl.money import Money
from refarch.reference_impl.orders.domain import Order, StoredOutcome

__all__ = ["FakeDatabase", "FakeUnitOfWork", "fake_uow_factory", "product"]


def product(*, stock: int, price: int = 1000, name: str = "Widget") -> Product:
    now = datetime.now(UTC)
    return Product(
        id=uuid4(),
        sku=f"SKU-{uuid4().hex[:6]}",
        name=name,
        description=None,
        price=Money(price),
        category_id=None,
        stock=stock,
        created_at=now,
        updated_at=now,
    )


@dataclass
class FakeDatabase:
    products: dict[UUID, Product] = field(default_factory=dict)
    orders: dict[UUID, Order] = field(default_factory=dict)
    idempotency_keys: dict[tuple[UUID, str], StoredOutcome] = field(default_factory=dict)
    outbox: list[tuple[str, Event]] = field(default_factory=list)

    def add_products(self, *products: Product) -> None:
        self.products.update((p.id, p) for p in products)

    def snapshot(self) -> dict[str, Any]:
        return copy.deepcopy(
            {name: getattr(self, name) for name in ("products", "orders", "idempotency_keys")}
        ) | {"outbox": list(self.outbox)}

    def restore(self, snapshot: dict[str, Any]) -> None:
        for name, value in snapshot.items():
            setattr(self, name, value)


class FakeProductRepository:
    def __init__(self, db: FakeDatabase) -> None:
        self._db = db

    async def get(self, product_id: UUID, *, for_update: bool = False) -> Product | None:
        return self._db.products.get(product_id)

    async def update(self, product_id: UUID, changes: dict[str, Any]) -> Product | None:
        current = self._db.products.get(product_id)
        if current is None:
            return None
        fields = {k: v for k, v in changes.items() if k not in ("price_amount", "currency")}
        if "price_amount" in changes:
            fields["price"] = Money(changes["price_amount"], changes["currency"])
        self._db.products[product_id] = replace(current, **fields)
        return self._db.products[product_id]

    async def adjust_stock(self, product_id: UUID, delta: int) -> Product | None:
        current = self._db.products.get(product_id)
        if current is None or not 0 <= current.stock + delta <= MAX_STOCK:
            return None
        self._db.products[product_id] = replace(current, stock=current.stock + delta)
        return self._db.products[product_id]

    async def take_stock(self, product_id: UUID, quantity: int) -> tuple[PricedLine, int] | None:
        current = self._db.products.get(product_id)
        if current is None or current.stock < quantity:
            return None
        left = current.stock - quantity
        self._db.products[product_id] = replace(current, stock=left)
        return PricedLine(product_id, current.sku, current.name, quantity, current.price), left

    async def stock_levels(self, product_ids: list[UUID]) -> dict[UUID, int]:
        return {i: self._db.products[i].stock for i in product_ids if i in self._db.products}

    async def return_stock(self, product_id: UUID, quantity: int) -> int | None:
        current = self._db.products.get(product_id)
        if current is None:
            return None
        stock = min(current.stock + quantity, MAX_STOCK)
        self._db.products[product_id] = replace(current, stock=stock)
        return stock


class FakeOrderRepository:
    def __init__(self, db: FakeDatabase) -> None:
        self._db = db

    async def add(self, order: Order) -> None:
        self._db.orders[order.id] = order

    async def get(
        self, order_id: UUID, *, owner: UUID | None = None, for_update: bool = False
    ) -> Order | None:
        order = self._db.orders.get(order_id)
        return None if order is None or (owner is not None and order.user_id != owner) else order

    async def lock_customer(self, user_id: UUID) -> None:
        """One event loop, no interleaving inside a fake transaction: nothing to lock."""

    async def count_pending(self, user_id: UUID) -> int:
        orders = self._db.orders.values()
        return sum(1 for o in orders if o.user_id == user_id and o.status == "pending")

    async def pending_placed_before(self, cutoff: datetime, *, limit: int) -> list[UUID]:
        stale = sorted(
            (
                o
                for o in self._db.orders.values()
                if o.status == "pending" and o.created_at < cutoff
            ),
            key=lambda o: (o.created_at, o.id),
        )
        return [o.id for o in stale[:limit]]

    async def set_status(self, order: Order, status: str) -> Order:
        changed = replace(order, status=status, updated_at=datetime.now(UTC))
        self._db.orders[order.id] = changed
        return changed


class FakeIdempotencyKeys:
    def __init__(self, db: FakeDatabase) -> None:
        self._db = db

    async def claim(self, user_id: UUID, key: str, request_hash: str) -> bool:
        if (user_id, key) in self._db.idempotency_keys:
            return False
        self._db.idempotency_keys[user_id, key] = StoredOutcome(request_hash, "in_flight")
        return True

    async def get(self, user_id: UUID, key: str) -> StoredOutcome | None:
        return self._db.idempotency_keys.get((user_id, key))

    async def complete(self, user_id: UUID, key: str, status: int, body: Any) -> None:
        claimed = self._db.idempotency_keys[user_id, key]
        self._db.idempotency_keys[user_id, key] = replace(
            claimed, state="done", response_status=status, response_body=copy.deepcopy(body)
        )

    async def release(self, user_id: UUID, key: str) -> None:
        stored = self._db.idempotency_keys.get((user_id, key))
        if stored is not None and stored.state == "in_flight":
            del self._db.idempotency_keys[user_id, key]


class FakeUnitOfWork:
    """Every fake repository, in the three modes of the real unit of work."""

    def __init__(
        self, db: FakeDatabase, *, autocommit: bool = False, within: FakeUnitOfWork | None = None
    ) -> None:
        self.db = db
        self._autocommit = autocommit
        self._within = within
        self._snapshot: dict[str, Any] | None = None
        self._events: list[tuple[str, Event]] = []
        self.committed = False
        self.products = FakeProductRepository(db)
        self.orders = FakeOrderRepository(db)
        self.idempotency_keys = FakeIdempotencyKeys(db)

    def publish(self, schema: str, event: Event) -> None:
        if self._within is not None:
            self._within.publish(schema, event)
        elif self._autocommit:
            raise RuntimeError("events need a transaction")
        else:
            self._events.append((schema, event))

    async def commit(self) -> None:
        self.db.outbox.extend(self._events)
        self._events.clear()
        self.committed = True

    async def __aenter__(self) -> FakeUnitOfWork:
        if self._within is None and not self._autocommit:
            self._snapshot = self.db.snapshot()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._snapshot is not None and not self.committed:
            self.db.restore(self._snapshot)


def fake_uow_factory(db: FakeDatabase) -> Any:
    def open_unit_of_work(
        *, autocommit: bool = False, within: FakeUnitOfWork | None = None
    ) -> FakeUnitOfWork:
        return FakeUnitOfWork(db, autocommit=autocommit, within=within)

    return open_unit_of_work
