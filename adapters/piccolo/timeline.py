"""The per-session timeline on PostgreSQL."""

from __future__ import annotations

from adapters.piccolo.statements import Connection
from domain.timeline import TimelineEntry, TimelineKind


class PiccoloTimelineRepository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    async def add(self, entry: TimelineEntry) -> None:
        await self._db.execute(
            """INSERT INTO timeline_entry (session_id, at, kind, detail, correlation_id)
               VALUES ($1, $2, $3, $4, $5)""",
            entry.session_id, entry.at, entry.kind.value, entry.detail, entry.correlation_id)

    async def for_session(self, session_id: str) -> list[TimelineEntry]:
        rows = await self._db.fetch(
            """SELECT session_id, at, kind, detail, correlation_id FROM timeline_entry
               WHERE session_id = $1 ORDER BY id""", session_id)
        return [TimelineEntry(r["session_id"], r["at"], TimelineKind(r["kind"]), r["detail"],
                              r["correlation_id"]) for r in rows]
