"""Money is exact integer arithmetic in one currency at a time."""

from __future__ import annotations

import pytest

from refarch.reference_impl.money import Money


def test_money_adds_and_multiplies_exactly() -> None:
    assert Money(10) + Money(20) == Money(30)
    assert Money(333).times(3) == Money(999)
    assert Money(1).as_json() == {"amount": 1, "currency": "EUR"}


def test_money_refuses_negative_amounts_and_mixed_currencies() -> None:
    with pytest.raises(ValueError):
        Money(-1)
    with pytest.raises(ValueError):
        Money(1, "EUR") + Money(1, "USD")
