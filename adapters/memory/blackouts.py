"""Blackout dates: one per date."""

from __future__ import annotations

from adapters.memory.storable import check_columns
from adapters.memory.store import MemoryStore
from domain.blackout import Blackout
from domain.errors import Conflict
from domain.event_date import EventDate


class MemoryBlackoutRepository:
    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    async def list_all(self) -> list[Blackout]:
        return sorted(self._store.blackouts.values(), key=lambda b: (b.date, b.id))

    async def add(self, blackout: Blackout) -> None:
        check_columns("blackout", id=(blackout.id, 64), reason=(blackout.reason, None))
        if blackout.id in self._store.blackouts:
            raise Conflict(f"blackout {blackout.id} already exists")
        if any(b.date == blackout.date for b in self._store.blackouts.values()):
            raise Conflict(f"{blackout.date} already has a blackout")
        self._store.blackouts[blackout.id] = blackout

    async def get(self, blackout_id: str) -> Blackout | None:
        return self._store.blackouts.get(blackout_id)

    async def remove(self, blackout_id: str) -> None:
        self._store.blackouts.pop(blackout_id, None)

    async def dates_between(self, start: EventDate, end: EventDate) -> set[EventDate]:
        return {b.date for b in self._store.blackouts.values() if start <= b.date <= end}
