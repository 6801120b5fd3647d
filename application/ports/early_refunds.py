from __future__ import annotations

from typing import Protocol


class EarlyRefundRepository(Protocol):
    """`charge.refunded` events that arrived before their booking existed."""

    async def remember(self, payment_intent_id: str) -> None: ...

    async def take(self, payment_intent_id: str) -> bool:
        """True (and forget it) when a refund was waiting for this payment."""
