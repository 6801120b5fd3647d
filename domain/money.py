"""Money as integer cents: no floats ever touch a price."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import ValidationFailed

# The currency of every catalog price.
CURRENCY = "usd"

MAX_CENTS = 100_000_000  # one million in the currency: far above any package, catches typos


@dataclass(frozen=True, order=True)
class Money:
    cents: int

    def __post_init__(self) -> None:
        if isinstance(self.cents, bool) or not isinstance(self.cents, int):
            raise ValidationFailed("an amount must be a whole number of cents")
        if not 0 <= self.cents <= MAX_CENTS:
            raise ValidationFailed(f"an amount must be between 0 and {MAX_CENTS} cents")

    def __add__(self, other: Money) -> Money:
        return Money(self.cents + other.cents)

    @classmethod
    def zero(cls) -> Money:
        return cls(0)
