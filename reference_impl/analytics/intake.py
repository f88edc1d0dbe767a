"""The analytics intake: message bodies in, one store transaction per batch, a verdict each.

Independent of the broker: ``ingest`` takes the raw bodies of a batch and says, for each,
whether it was applied (or had been applied before: both mean "acknowledge") or can never
be applied (not JSON, or breaking the AsyncAPI schema of its type: set aside, SEC-013).
The consumer adapter acknowledges only after ``ingest`` returned, that is after the store
committed, so a crash in between redelivers the batch and the event-id ledger makes the
second delivery change nothing. Event types analytics does not use are acknowledged
without being stored.

Bodies are checked against the contract's payload schemas with jsonschema-rs (compiled
once per type): the check is cheap enough to keep ingestion near a bare bulk insert.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import jsonschema_rs
import orjson

from refarch.event_contract import event_contract
from refarch.reference_impl.analytics.store import AnalyticsStore

__all__ = ["USED_TYPES", "Intake", "Verdict"]

#: The event types the analytics facts come from (see domain.facts_of).
USED_TYPES = frozenset(
    {
        "user.registered",
        "user.updated",
        "user.deleted",
        "product.created",
        "product.updated",
        "product.stock_changed",
        "order.placed",
        "order.cancelled",
        "order.status_changed",
    }
)


@dataclass(frozen=True, slots=True)
class Verdict:
    ok: bool  # True: acknowledge; False: set aside (dead letter) for the reason
    reason: str = ""


@functools.cache
def _validators() -> dict[str, Any]:
    return {
        kind.type: jsonschema_rs.validator_for(dict(kind.payload), validate_formats=True)
        for kind in event_contract()
    }


def schema_problem(envelope: Any) -> str | None:
    """Why ``envelope`` breaks the contract, or None when it keeps it."""
    if not isinstance(envelope, dict) or not isinstance(envelope.get("type"), str):
        return "not an event envelope (a JSON object with a string type)"
    validator = _validators().get(envelope["type"])
    if validator is None:
        return None  # a type this contract version does not know: tolerated, not applied
    error = next(iter(validator.iter_errors(envelope)), None)
    return None if error is None else f"{envelope['type']}: {error.message}"


class Intake:
    def __init__(self, store: AnalyticsStore) -> None:
        self.store = store
        self.applied = 0
        self.duplicates = 0
        self.dead_letters = 0

    def ingest(self, bodies: Sequence[bytes]) -> list[Verdict]:
        """Apply a batch (synchronously: call it on the store's thread)."""
        verdicts: list[Verdict] = []
        usable: list[dict[str, Any]] = []
        for body in bodies:
            try:
                envelope = orjson.loads(body)
            except orjson.JSONDecodeError as exc:
                verdicts.append(Verdict(False, f"body is not JSON: {exc}"))
                continue
            problem = schema_problem(envelope)
            if problem is not None:
                verdicts.append(Verdict(False, problem))
                continue
            if envelope["type"] in USED_TYPES:
                usable.append(envelope)
            verdicts.append(Verdict(True))
        result = self.store.apply(usable)
        self.applied += result.applied
        self.duplicates += result.duplicates
        self.dead_letters += sum(1 for verdict in verdicts if not verdict.ok)
        return verdicts
