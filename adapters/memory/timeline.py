"""The per-session timeline, in the order entries were added."""

from __future__ import annotations

import dataclasses

from adapters.memory.storable import check_columns
from adapters.memory.store import MemoryStore
from application.ports.tracing import TraceContext
from domain.timeline import TimelineEntry


class MemoryTimelineRepository:
    def __init__(self, store: MemoryStore, trace: TraceContext | None = None) -> None:
        self._store = store
        self._trace = trace

    async def add(self, entry: TimelineEntry) -> None:
        check_columns("timeline_entry", session_id=(entry.session_id, 255),
                      detail=(entry.detail, None), correlation_id=(entry.correlation_id, 128),
                      stripe_event_id=(entry.stripe_event_id, 255))
        if entry.trace_id is None and self._trace is not None:
            entry = dataclasses.replace(entry, trace_id=self._trace.current_trace_id() or None)
        self._store.timeline.append(entry)

    async def for_session(self, session_id: str) -> list[TimelineEntry]:
        return [e for e in self._store.timeline if e.session_id == session_id]
