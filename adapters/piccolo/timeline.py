"""The per-session timeline on PostgreSQL."""

from __future__ import annotations

from adapters.piccolo.prepared import Prepared
from adapters.piccolo.statements import Connection, fetch, write
from adapters.piccolo.tables import TimelineRow
from application.ports.tracing import TraceContext
from domain.timeline import TimelineEntry, TimelineKind

_ADD = Prepared(lambda session_id, at, kind, detail, correlation_id, trace_id, stripe_event_id:
                TimelineRow.insert(TimelineRow(
                    session_id=session_id, at=at, kind=kind, detail=detail,
                    correlation_id=correlation_id, trace_id=trace_id,
                    stripe_event_id=stripe_event_id)))
_FOR_SESSION = Prepared(lambda session_id: TimelineRow.select(
    TimelineRow.session_id, TimelineRow.at, TimelineRow.kind, TimelineRow.detail,
    TimelineRow.correlation_id, TimelineRow.trace_id, TimelineRow.stripe_event_id,
).where(TimelineRow.session_id == session_id).order_by(TimelineRow.id))


class PiccoloTimelineRepository:
    def __init__(self, connection: Connection, trace: TraceContext | None = None) -> None:
        self._connection = connection
        self._trace = trace

    async def add(self, entry: TimelineEntry) -> None:
        trace_id = entry.trace_id
        if trace_id is None and self._trace is not None:
            trace_id = self._trace.current_trace_id() or None
        await write(self._connection, _ADD(entry.session_id, entry.at, entry.kind.value,
                                           entry.detail, entry.correlation_id, trace_id,
                                           entry.stripe_event_id))

    async def for_session(self, session_id: str) -> list[TimelineEntry]:
        rows = await fetch(self._connection, _FOR_SESSION(session_id))
        return [TimelineEntry(r["session_id"], r["at"], TimelineKind(r["kind"]), r["detail"],
                              r["correlation_id"], r["trace_id"], r["stripe_event_id"])
                for r in rows]
