"""The outbox: events written with the change that raised them, claimed by one relay at a time."""

from __future__ import annotations

import dataclasses
import datetime as dt

from adapters.memory.storable import check_document
from adapters.memory.store import MemoryStore, OutboxRow
from application.ports.outbox import OutboxBacklog, OutboxMessage
from application.ports.tracing import TraceContext
from domain.errors import Conflict, NotFound
from domain.events import DomainEvent


class MemoryOutbox:
    def __init__(self, store: MemoryStore, trace: TraceContext | None = None) -> None:
        self._store = store
        self._trace = trace
        self.added = 0  # messages this unit of work wrote: its commit wakes the relay

    async def add(self, message_id: str, event: DomainEvent, now: dt.datetime) -> None:
        check_document("outbox_message", event)
        if message_id in self._store.outbox:
            raise Conflict(f"outbox message {message_id} already exists")
        traceparent = self._trace.current_traceparent() if self._trace else None
        self._store.outbox[message_id] = OutboxRow(message_id, event, available_at=now,
                                                   created_at=now, traceparent=traceparent)
        self.added += 1

    async def claim(
        self, limit: int, now: dt.datetime, lease: dt.timedelta,
    ) -> list[OutboxMessage]:
        # As PostgreSQL picks them: the longest-due first (available_at, then the order they
        # were added), handed back in the order they were added. A message put off by
        # retry_later is thus not served before one that has been due for longer.
        added = {message_id: n for n, message_id in enumerate(self._store.outbox)}
        due = sorted((row for row in self._store.outbox.values() if _due(row, now)),
                     key=lambda row: (row.available_at, added[row.id]))[:max(limit, 0)]
        claimed: list[OutboxMessage] = []
        for row in sorted(due, key=lambda row: added[row.id]):
            taken = dataclasses.replace(
                row, claimed_until=now + lease, attempts=row.attempts + 1,
            )
            self._store.outbox[row.id] = taken
            claimed.append(OutboxMessage(taken.id, taken.event, taken.attempts,
                                         taken.traceparent))
        return claimed

    async def mark_done(self, message_id: str, now: dt.datetime) -> None:
        row = self._get(message_id)
        self._store.outbox[message_id] = dataclasses.replace(
            row, done_at=now, claimed_until=None,
        )

    async def retry_later(self, message_id: str, error: str, not_before: dt.datetime) -> None:
        row = self._get(message_id)
        self._store.outbox[message_id] = dataclasses.replace(
            row, available_at=not_before, claimed_until=None, last_error=error,
        )

    def _get(self, message_id: str) -> OutboxRow:
        row = self._store.outbox.get(message_id)
        if row is None:
            raise NotFound(f"no outbox message '{message_id}'")
        return row

    async def backlog(self) -> OutboxBacklog:
        waiting = [row.created_at for row in self._store.outbox.values() if row.done_at is None]
        return OutboxBacklog(len(waiting), min(waiting, default=None))


def _due(row: OutboxRow, now: dt.datetime) -> bool:
    if row.done_at is not None:
        return False
    if row.available_at > now:
        return False
    # A lapsed claim means the relay that took it died: the message is free again.
    return row.claimed_until is None or row.claimed_until <= now

