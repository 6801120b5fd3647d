"""The per-session timeline on PostgreSQL."""

from __future__ import annotations

from adapters.piccolo.prepared import Prepared
from adapters.piccolo.statements import Connection, fetch, write
from adapters.piccolo.tables import TimelineRow
from domain.timeline import TimelineEntry, TimelineKind

_ADD = Prepared(lambda session_id, at, kind, detail, correlation_id: TimelineRow.insert(
    TimelineRow(session_id=session_id, at=at, kind=kind, detail=detail,
                correlation_id=correlation_id)))


class PiccoloTimelineRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    async def add(self, entry: TimelineEntry) -> None:
        await write(self._connection, _ADD(entry.session_id, entry.at, entry.kind.value,
                                           entry.detail, entry.correlation_id))

    async def for_session(self, session_id: str) -> list[TimelineEntry]:
        rows = await fetch(self._connection, TimelineRow.select(
            TimelineRow.session_id, TimelineRow.at, TimelineRow.kind, TimelineRow.detail,
            TimelineRow.correlation_id,
        ).where(TimelineRow.session_id == session_id).order_by(TimelineRow.id))
        return [TimelineEntry(r["session_id"], r["at"], TimelineKind(r["kind"]), r["detail"],
                              r["correlation_id"]) for r in rows]
