"""The per-session timeline, in the order entries were added."""

from __future__ import annotations

from adapters.memory.store import MemoryStore
from domain.timeline import TimelineEntry


class MemoryTimelineRepository:
    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    async def add(self, entry: TimelineEntry) -> None:
        self._store.timeline.append(entry)

    async def for_session(self, session_id: str) -> list[TimelineEntry]:
        return [e for e in self._store.timeline if e.session_id == session_id]
