"""The transactional outbox on PostgreSQL: claimed with FOR UPDATE SKIP LOCKED, so any number
of relays (in any number of processes) never deliver one message at the same time."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import asyncpg

from adapters.piccolo.statements import Connection, fetch, write
from adapters.piccolo.tables import OutboxRow
from application.ports.outbox import OutboxMessage
from domain.errors import Conflict
from domain.events import EVENT_TYPES, DomainEvent


def _event(event_type: str, payload: str | dict[str, object]) -> DomainEvent:
    data = json.loads(payload) if isinstance(payload, str) else payload
    return EVENT_TYPES[event_type](**data)


class PiccoloOutbox:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        # Messages added in this unit of work: at commit, the unit of work wakes the relay if any.
        self.added: int = 0

    async def add(self, message_id: str, event: DomainEvent, now: dt.datetime) -> None:
        def taken(exc: asyncpg.PostgresError) -> Conflict | None:
            # A domain error, as the memory set raises.
            if isinstance(exc, asyncpg.UniqueViolationError) and exc.constraint_name == "outbox_message_pkey":
                return Conflict(f"outbox message {message_id} already exists")
            return None

        await write(self._connection, OutboxRow.insert(OutboxRow(
            id=message_id, event_type=type(event).__name__,
            payload=json.dumps(dataclasses.asdict(event)), created_at=now, available_at=now,
        )), translate=taken)
        self.added += 1

    async def claim(
        self, limit: int, now: dt.datetime, lease: dt.timedelta,
    ) -> list[OutboxMessage]:
        # The due rows are picked (oldest first) and locked in the subquery; SKIP LOCKED leaves
        # the ones another relay holds to it, and the UPDATE leases what this one got.
        due = OutboxRow.select(OutboxRow.id).where(
            OutboxRow.done_at.is_null(), OutboxRow.available_at <= now,
            OutboxRow.claimed_until.is_null() | (OutboxRow.claimed_until <= now),
        ).order_by(OutboxRow.available_at, OutboxRow.seq).limit(limit).lock_rows(
            "UPDATE", skip_locked=True)
        rows = await fetch(self._connection, OutboxRow.update({
            OutboxRow.claimed_until: now + lease, OutboxRow.attempts: OutboxRow.attempts + 1,
        }).where(OutboxRow.id.is_in(due)).returning(
            OutboxRow.id, OutboxRow.event_type, OutboxRow.payload, OutboxRow.attempts,
            OutboxRow.seq))
        ordered = sorted(rows, key=lambda r: r["seq"])
        return [OutboxMessage(r["id"], _event(r["event_type"], r["payload"]), r["attempts"])
                for r in ordered]

    async def mark_done(self, message_id: str, now: dt.datetime) -> None:
        await self._set(message_id, {OutboxRow.done_at: now, OutboxRow.claimed_until: None})

    async def retry_later(self, message_id: str, error: str, not_before: dt.datetime) -> None:
        await self._set(message_id, {OutboxRow.available_at: not_before,
                                     OutboxRow.claimed_until: None,
                                     OutboxRow.last_error: error[:2000]})

    async def _set(self, message_id: str, values: dict[Any, Any]) -> None:
        await write(self._connection, OutboxRow.update(values).where(
            OutboxRow.id == message_id).returning(OutboxRow.id),
            missing=f"no outbox message '{message_id}'")
