"""The unit of work rolls back unless committed and writes its events on commit (with fakes)."""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Any

import pytest

from refarch.reference_impl.events import Event
from refarch.reference_impl.unit_of_work import UnitOfWork


class FakeTransaction:
    def __init__(self, log: list[str]) -> None:
        self.log = log

    async def start(self) -> None:
        self.log.append("begin")

    async def commit(self) -> None:
        self.log.append("commit")

    async def rollback(self) -> None:
        self.log.append("rollback")


class FakeConnection:
    def __init__(self, log: list[str]) -> None:
        self.log = log

    def transaction(self) -> FakeTransaction:
        return FakeTransaction(self.log)

    async def execute(self, query: str, *args: Any) -> str:
        # the statement's target: the outbox an event goes to (its sequence is taken in
        # the same statement), or the first words of anything else
        target = re.search(r"INSERT INTO (\w+\.outbox)", query)
        self.log.append(f"INSERT INTO {target[1]}" if target else query.split("(")[0].strip())
        return "INSERT 0 1"

    def is_closed(self) -> bool:
        return False


class FakePool:
    def __init__(self) -> None:
        self.log: list[str] = []

    async def acquire(self) -> FakeConnection:
        self.log.append("acquire")
        return FakeConnection(self.log)

    async def release(self, connection: FakeConnection) -> None:
        self.log.append("release")


def run(pool: FakePool, work: Any) -> None:
    async def scenario() -> None:
        async with UnitOfWork(pool) as uow:  # type: ignore[arg-type]
            await work(uow)

    asyncio.run(scenario())


def test_uow_rolls_back_when_not_committed() -> None:
    pool = FakePool()

    async def forget_to_commit(uow: UnitOfWork) -> None:
        uow.publish("orders", Event("order.placed", "order", uuid.uuid4(), {}))

    run(pool, forget_to_commit)

    assert pool.log == ["acquire", "begin", "rollback", "release"]


def test_uow_rolls_back_on_error_and_reraises() -> None:
    pool = FakePool()

    async def fail(uow: UnitOfWork) -> None:
        raise LookupError("boom")

    with pytest.raises(LookupError):
        run(pool, fail)
    assert pool.log == ["acquire", "begin", "rollback", "release"]


def test_uow_writes_events_to_the_producers_outbox_in_the_transaction() -> None:
    pool = FakePool()

    async def place(uow: UnitOfWork) -> None:
        uow.publish("users", Event("user.registered", "user", uuid.uuid4(), {}))
        uow.publish("orders", Event("order.placed", "order", uuid.uuid4(), {}))
        await uow.commit()

    run(pool, place)

    assert pool.log == [
        "acquire",
        "begin",
        "INSERT INTO users.outbox",
        "INSERT INTO orders.outbox",
        "commit",
        "release",
    ]


def test_uow_refuses_an_outbox_that_does_not_exist() -> None:
    with pytest.raises(ValueError):
        UnitOfWork(FakePool()).publish("notifications", Event("x", "y", uuid.uuid4(), {}))  # type: ignore[arg-type]
