"""Shipping methods and what they cost (API v2): decided by the server, never by a client.

Orders placed through v1, which has no shipping choice, ship ``standard`` at its cost, zero,
so an order reads the same whichever version placed it. Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from refarch.reference_impl.money import Money

__all__ = ["METHODS", "ShippingChoice", "ShippingMethod"]


@dataclass(frozen=True, slots=True)
class ShippingMethod:
    name: str
    cost: Money
    delivery_days: int


#: Cheapest first, as listShippingMethods answers them. The prices are part of the v2
#: contract (the spec states them), so changing one is a documented change, not a setting.
METHODS: dict[str, ShippingMethod] = {
    "standard": ShippingMethod("standard", Money(0), 5),
    "express": ShippingMethod("express", Money(990), 1),
}


@dataclass(frozen=True, slots=True)
class ShippingChoice:
    """How and where one order ships, with the cost the server charges for it."""

    method: str
    address: dict[str, Any]

    @property
    def cost(self) -> Money:
        return METHODS[self.method].cost

    @classmethod
    def standard(cls, address: dict[str, Any]) -> ShippingChoice:
        """What a v1 order gets: v1 has no choice and never charged for shipping."""
        return cls("standard", address)
