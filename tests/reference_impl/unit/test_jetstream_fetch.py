"""How the JetStream adapter reads a batch: nats-py's timeouts mean "nothing waiting"."""

from __future__ import annotations

import asyncio
from typing import Any

import nats.errors
import pytest

from refarch.reference_impl.jetstream import JetStreamBroker


class FakeSubscription:
    """fetch() answers from a script: a list of messages, or an exception to raise."""

    def __init__(self, *script: Any) -> None:
        self.script = list(script)
        self.asked: list[int] = []

    async def fetch(self, batch: int, timeout: float) -> list[Any]:
        self.asked.append(batch)
        answer = self.script.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return list(answer)


@pytest.mark.parametrize(
    "quiet",
    [nats.errors.TimeoutError(), TimeoutError()],
    ids=["nats-timeout", "builtin-timeout"],  # nats-py raises both, depending on the path
)
def test_a_batch_is_whatever_waits_after_the_first_message(quiet: BaseException) -> None:
    subscription = FakeSubscription(["first"], quiet)
    broker = JetStreamBroker("nats://127.0.0.1:1", batch_size=50)

    batch = asyncio.run(broker._next_batch(subscription))  # type: ignore[arg-type]

    assert batch == ["first"]
    assert subscription.asked == [1, 49]  # one, then the rest of a batch without lingering


def test_more_waiting_messages_join_the_batch() -> None:
    subscription = FakeSubscription(["first"], ["second", "third"])
    broker = JetStreamBroker("nats://127.0.0.1:1", batch_size=3)

    assert asyncio.run(broker._next_batch(subscription)) == ["first", "second", "third"]  # type: ignore[arg-type]
