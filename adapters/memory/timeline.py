"""The per-session timeline, in the order entries were added."""

from __future__ import annotations

import dataclasses

from adapters.memory.store import MemoryStore
from application.ports.tracing import TraceContext
from domain.timeline import TimelineEntry


class MemoryTimelineRepository:
    def __init__(self, store: MemoryStore, trace: TraceContext | None = None) -> None:
        self._store = store
        self._trace = trace

    async def add(self, entry: TimelineEntry) -> None:
        if entry.trace_id is None and self._trace is not None:
            entry = dataclasses.replace(entry, trace_id=self._trace.current_trace_id() or None)
        self._store.timeline.append(entry)

    async def for_session(self, session_id: str) -> list[TimelineEntry]:
        return [e for e in self._store.timeline if e.session_id == session_id]
