"""Refunds seen before their booking, on PostgreSQL."""

from __future__ import annotations

from adapters.piccolo.statements import Connection, execute, fetch
from adapters.piccolo.tables import EarlyRefundRow


class PiccoloEarlyRefundRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    async def remember(self, payment_intent_id: str) -> None:
        await execute(self._connection, EarlyRefundRow.insert(
            EarlyRefundRow(payment_intent_id=payment_intent_id)).on_conflict(action="DO NOTHING"))

    async def take(self, payment_intent_id: str) -> bool:
        taken = await fetch(self._connection, EarlyRefundRow.delete().where(
            EarlyRefundRow.payment_intent_id == payment_intent_id,
        ).returning(EarlyRefundRow.payment_intent_id))
        return bool(taken)
