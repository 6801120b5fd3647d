"""Refunds seen before their booking, on PostgreSQL."""

from __future__ import annotations

from adapters.piccolo.prepared import Prepared
from adapters.piccolo.statements import Connection, execute, fetch
from adapters.piccolo.tables import EarlyRefundRow

_TAKE = Prepared(lambda payment_intent_id: EarlyRefundRow.delete().where(
    EarlyRefundRow.payment_intent_id == payment_intent_id,
).returning(EarlyRefundRow.payment_intent_id))


class PiccoloEarlyRefundRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    async def remember(self, payment_intent_id: str) -> None:
        await execute(self._connection, EarlyRefundRow.insert(
            EarlyRefundRow(payment_intent_id=payment_intent_id)).on_conflict(action="DO NOTHING"))

    async def take(self, payment_intent_id: str) -> bool:
        return bool(await fetch(self._connection, _TAKE(payment_intent_id)))
