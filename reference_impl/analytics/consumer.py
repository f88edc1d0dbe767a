"""The analytics service's durable consumer on the broker port (``broker.EventBroker``).

Each batch goes to the intake in one store transaction; the broker acknowledges the
messages only after ``handle_batch`` returns, that is after DuckDB committed. A batch the
store fails on (not the messages' fault as far as we know) is retried message by message,
so one event the store keeps refusing is set aside after ``MAX_ATTEMPTS`` deliveries
instead of holding up every event behind it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from refarch.reference_impl.analytics.intake import Verdict
from refarch.reference_impl.analytics.service import AnalyticsService
from refarch.reference_impl.broker import Delivery, EventBroker, Outcome, Settle

__all__ = ["ANALYTICS_CONSUMER", "MAX_ATTEMPTS", "AnalyticsConsumer"]

log = logging.getLogger("refarch.reference_impl.analytics")

#: The durable consumer's name on the broker.
ANALYTICS_CONSUMER = "analytics"
MAX_ATTEMPTS = 5


def _settle(verdict: Verdict) -> Settle:
    return Settle(Outcome.ACK) if verdict.ok else Settle(Outcome.DEAD_LETTER, verdict.reason)


class AnalyticsConsumer:
    name = ANALYTICS_CONSUMER

    def __init__(self, analytics: AnalyticsService, event_types: Sequence[str] = ()) -> None:
        self._analytics = analytics
        #: The types it receives (the AsyncAPI document's receive operations); all if empty.
        self.event_types = tuple(event_types)
        self._refused = 0

    @property
    def dead_letters(self) -> int:
        """Messages set aside since start: malformed ones, and ones the store kept refusing."""
        intake = self._analytics.intake
        return self._refused + (intake.dead_letters if intake is not None else 0)

    async def run(self, broker: EventBroker) -> None:
        """Consume until cancelled (the broker's loop rides out outages)."""
        await broker.consume(self.name, self.handle_batch, event_types=self.event_types)

    async def handle_batch(self, deliveries: Sequence[Delivery]) -> list[Settle]:
        try:
            verdicts = await self._analytics.ingest([d.body for d in deliveries])
        except Exception:
            if len(deliveries) == 1:
                return [self._failed(deliveries[0])]
            log.warning("analytics batch of %d failed; retrying one by one", len(deliveries))
            return [settle for d in deliveries for settle in await self.handle_batch([d])]
        return [_settle(verdict) for verdict in verdicts]

    def _failed(self, delivery: Delivery) -> Settle:
        log.error(
            "analytics failed on a message on %s, delivery %d of %d",
            delivery.subject,
            delivery.attempt,
            MAX_ATTEMPTS,
            exc_info=True,
        )
        if delivery.attempt >= MAX_ATTEMPTS:
            self._refused += 1
            return Settle(Outcome.DEAD_LETTER, "the analytics store refused it repeatedly")
        return Settle(Outcome.RETRY, "the analytics store failed")
