"""Blackout dates on PostgreSQL: one per date (a unique index)."""

from __future__ import annotations

from typing import Any

import asyncpg

from adapters.piccolo.prepared import Prepared
from adapters.piccolo.statements import Connection, execute, fetch
from adapters.piccolo.tables import BlackoutRow
from domain.blackout import Blackout
from domain.errors import Conflict
from domain.event_date import EventDate

_COLUMNS = (BlackoutRow.id, BlackoutRow.date, BlackoutRow.reason)


def _blackout(row: dict[str, Any]) -> Blackout:
    return Blackout(row["id"], EventDate(row["date"]), row["reason"])


_DATES_BETWEEN = Prepared(lambda start, end: BlackoutRow.select(BlackoutRow.date).where(
    (BlackoutRow.date >= start) & (BlackoutRow.date <= end)))


class PiccoloBlackoutRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    async def list_all(self) -> list[Blackout]:
        rows = await fetch(self._connection,
                           BlackoutRow.select(*_COLUMNS).order_by(BlackoutRow.date))
        return [_blackout(r) for r in rows]

    async def add(self, blackout: Blackout) -> None:
        try:
            await execute(self._connection, BlackoutRow.insert(BlackoutRow(
                id=blackout.id, date=blackout.date.value, reason=blackout.reason)))
        except asyncpg.UniqueViolationError as exc:
            raise Conflict(f"{blackout.date} is already blacked out") from exc

    async def get(self, blackout_id: str) -> Blackout | None:
        rows = await fetch(self._connection, BlackoutRow.select(*_COLUMNS).where(
            BlackoutRow.id == blackout_id))
        return _blackout(rows[0]) if rows else None

    async def remove(self, blackout_id: str) -> None:
        await execute(self._connection, BlackoutRow.delete().where(BlackoutRow.id == blackout_id))

    async def dates_between(self, start: EventDate, end: EventDate) -> set[EventDate]:
        rows = await fetch(self._connection, _DATES_BETWEEN(start.value, end.value))
        return {EventDate(r["date"]) for r in rows}
