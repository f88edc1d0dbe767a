"""Money as integer minor units with an ISO 4217 code: exact arithmetic, never a float.

v1 has one platform currency (ADR: money); the type still carries the code so a second
currency is an additive change. Standard library only: every domain may use it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PLATFORM_CURRENCY", "Money"]

PLATFORM_CURRENCY = "EUR"


@dataclass(frozen=True, slots=True)
class Money:
    amount: int  # minor units (cents for EUR)
    currency: str = PLATFORM_CURRENCY

    def __post_init__(self) -> None:
        if self.amount < 0:
            raise ValueError("money amounts are never negative")

    def __add__(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise ValueError(f"cannot add {other.currency} to {self.currency}")
        return Money(self.amount + other.amount, self.currency)

    def times(self, quantity: int) -> Money:
        return Money(self.amount * quantity, self.currency)

    def as_json(self) -> dict[str, object]:
        return {"amount": self.amount, "currency": self.currency}
