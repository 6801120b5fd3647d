"""Refunds seen before their booking, by payment intent."""

from __future__ import annotations

from adapters.memory.store import MemoryStore


class MemoryEarlyRefundRepository:
    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    async def remember(self, payment_intent_id: str) -> None:
        self._store.early_refunds[payment_intent_id] = None

    async def take(self, payment_intent_id: str) -> bool:
        if payment_intent_id not in self._store.early_refunds:
            return False
        del self._store.early_refunds[payment_intent_id]
        return True
