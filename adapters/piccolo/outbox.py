"""The transactional outbox on PostgreSQL: claimed with FOR UPDATE SKIP LOCKED, so any number
of relays (in any number of processes) never deliver one message at the same time."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import asyncpg

from adapters.piccolo.statements import Connection
from application.ports.outbox import OutboxMessage
from domain.errors import Conflict, NotFound
from domain.events import EVENT_TYPES, DomainEvent


def _event(event_type: str, payload: str | dict[str, object]) -> DomainEvent:
    data = json.loads(payload) if isinstance(payload, str) else payload
    return EVENT_TYPES[event_type](**data)


class PiccoloOutbox:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    async def add(self, message_id: str, event: DomainEvent, now: dt.datetime) -> None:
        try:
            await self._db.execute(
                """INSERT INTO outbox_message (id, event_type, payload, created_at, available_at)
                   VALUES ($1, $2, $3::jsonb, $4, $4)""",
                message_id, type(event).__name__, json.dumps(dataclasses.asdict(event)), now)
        except asyncpg.UniqueViolationError as exc:  # a domain error, as the memory set raises
            raise Conflict(f"outbox message {message_id} already exists") from exc

    async def claim(
        self, limit: int, now: dt.datetime, lease: dt.timedelta,
    ) -> list[OutboxMessage]:
        rows = await self._db.fetch(
            """UPDATE outbox_message m SET claimed_until = $2, attempts = m.attempts + 1
               FROM (SELECT id FROM outbox_message
                     WHERE done_at IS NULL AND available_at <= $1
                       AND (claimed_until IS NULL OR claimed_until <= $1)
                     ORDER BY available_at, seq LIMIT $3
                     FOR UPDATE SKIP LOCKED) due
               WHERE m.id = due.id
               RETURNING m.id, m.event_type, m.payload, m.attempts, m.seq""",
            now, now + lease, limit)
        ordered = sorted(rows, key=lambda r: r["seq"])
        return [OutboxMessage(r["id"], _event(r["event_type"], r["payload"]), r["attempts"])
                for r in ordered]

    async def mark_done(self, message_id: str, now: dt.datetime) -> None:
        await self._set(message_id, "done_at = $2, claimed_until = NULL", now)

    async def retry_later(self, message_id: str, error: str, not_before: dt.datetime) -> None:
        await self._set(message_id,
                        "available_at = $2, claimed_until = NULL, last_error = $3",
                        not_before, error[:2000])

    async def _set(self, message_id: str, assignments: str, *args: object) -> None:
        updated = await self._db.fetchval(
            f"UPDATE outbox_message SET {assignments} WHERE id = $1 RETURNING id",
            message_id, *args)
        if updated is None:
            raise NotFound(f"no outbox message '{message_id}'")

