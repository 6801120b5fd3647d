"""Blackout dates on PostgreSQL: one per date (a unique index)."""

from __future__ import annotations

import asyncpg

from adapters.piccolo.statements import Connection
from domain.blackout import Blackout
from domain.errors import Conflict
from domain.event_date import EventDate


class PiccoloBlackoutRepository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    async def list_all(self) -> list[Blackout]:
        rows = await self._db.fetch("SELECT id, date, reason FROM blackout ORDER BY date")
        return [Blackout(r["id"], EventDate(r["date"]), r["reason"]) for r in rows]

    async def add(self, blackout: Blackout) -> None:
        try:
            await self._db.execute("INSERT INTO blackout (id, date, reason) VALUES ($1, $2, $3)",
                                   blackout.id, blackout.date.value, blackout.reason)
        except asyncpg.UniqueViolationError as exc:
            raise Conflict(f"{blackout.date} is already blacked out") from exc

    async def get(self, blackout_id: str) -> Blackout | None:
        row = await self._db.fetchrow("SELECT id, date, reason FROM blackout WHERE id = $1",
                                      blackout_id)
        return Blackout(row["id"], EventDate(row["date"]), row["reason"]) if row else None

    async def remove(self, blackout_id: str) -> None:
        await self._db.execute("DELETE FROM blackout WHERE id = $1", blackout_id)

    async def dates_between(self, start: EventDate, end: EventDate) -> set[EventDate]:
        rows = await self._db.fetch("SELECT date FROM blackout WHERE date BETWEEN $1 AND $2",
                                    start.value, end.value)
        return {EventDate(r["date"]) for r in rows}
