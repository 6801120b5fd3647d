"""Refunds seen before their booking, on PostgreSQL."""

from __future__ import annotations

from adapters.piccolo.statements import Connection


class PiccoloEarlyRefundRepository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    async def remember(self, payment_intent_id: str) -> None:
        await self._db.execute(
            "INSERT INTO early_refund (payment_intent_id) VALUES ($1) ON CONFLICT DO NOTHING",
            payment_intent_id)

    async def take(self, payment_intent_id: str) -> bool:
        taken = await self._db.fetchval(
            "DELETE FROM early_refund WHERE payment_intent_id = $1 RETURNING payment_intent_id",
            payment_intent_id)
        return taken is not None
