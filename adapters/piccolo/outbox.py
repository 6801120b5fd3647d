"""The transactional outbox on PostgreSQL: claimed with FOR UPDATE SKIP LOCKED, so any number
of relays (in any number of processes) never deliver one message at the same time."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
from typing import Any

import asyncpg
from piccolo.query.base import Query
from piccolo.query.functions.aggregate import Count, Min

from adapters.piccolo.prepared import Prepared
from adapters.piccolo.statements import Connection, fetch, write
from adapters.piccolo.tables import OutboxRow
from application.ports.outbox import OutboxBacklog, OutboxMessage
from application.ports.tracing import TraceContext
from domain.errors import Conflict
from domain.events import EVENT_TYPES, DomainEvent


def _event(event_type: str, payload: str | dict[str, object]) -> DomainEvent:
    data = json.loads(payload) if isinstance(payload, str) else payload
    return EVENT_TYPES[event_type](**data)


_ADD = Prepared(lambda message_id, event_type, payload, now, traceparent: OutboxRow.insert(
    OutboxRow(id=message_id, event_type=event_type, payload=payload, created_at=now,
              available_at=now, traceparent=traceparent)))
_MARK_DONE = Prepared(lambda message_id, now: OutboxRow.update({
    OutboxRow.done_at: now, OutboxRow.claimed_until: None,
}).where(OutboxRow.id == message_id).returning(OutboxRow.id))
_RETRY_LATER = Prepared(lambda message_id, not_before, error: OutboxRow.update({
    OutboxRow.available_at: not_before, OutboxRow.claimed_until: None,
    OutboxRow.last_error: error,
}).where(OutboxRow.id == message_id).returning(OutboxRow.id))


@functools.cache
def _claim(limit: int) -> Prepared:
    # One statement per limit: Piccolo writes LIMIT into the SQL text, not as a parameter.
    def build(now: Any, until: Any) -> Query[Any, Any]:
        due = OutboxRow.select(OutboxRow.id).where(
            OutboxRow.done_at.is_null(), OutboxRow.available_at <= now,
            OutboxRow.claimed_until.is_null() | (OutboxRow.claimed_until <= now),
        ).order_by(OutboxRow.available_at, OutboxRow.seq).limit(limit).lock_rows(
            "UPDATE", skip_locked=True)
        return OutboxRow.update({
            OutboxRow.claimed_until: until, OutboxRow.attempts: OutboxRow.attempts + 1,
        }).where(OutboxRow.id.is_in(due)).returning(
            OutboxRow.id, OutboxRow.event_type, OutboxRow.payload, OutboxRow.attempts,
            OutboxRow.seq, OutboxRow.traceparent)
    return Prepared(build)


# Served by the partial index outbox_message_due (done_at IS NULL): the scan is as long as
# the backlog, not the table.
_BACKLOG = Prepared(lambda: OutboxRow.select(
    Count(alias="messages"), Min(OutboxRow.created_at, alias="oldest"),
).where(OutboxRow.done_at.is_null()))


class PiccoloOutbox:
    def __init__(self, connection: Connection, trace: TraceContext | None = None) -> None:
        self._connection = connection
        self._trace = trace
        # Messages added in this unit of work: at commit, the unit of work wakes the relay if any.
        self.added: int = 0

    async def add(self, message_id: str, event: DomainEvent, now: dt.datetime) -> None:
        def taken(exc: asyncpg.PostgresError) -> Conflict | None:
            # A domain error, as the memory set raises.
            if isinstance(exc, asyncpg.UniqueViolationError) and exc.constraint_name == "outbox_message_pkey":
                return Conflict(f"outbox message {message_id} already exists")
            return None

        traceparent = self._trace.current_traceparent() if self._trace else None
        await write(self._connection, _ADD(message_id, type(event).__name__,
                                           json.dumps(dataclasses.asdict(event)), now,
                                           traceparent),
                    translate=taken)
        self.added += 1

    async def claim(
        self, limit: int, now: dt.datetime, lease: dt.timedelta,
    ) -> list[OutboxMessage]:
        # The due rows are picked (oldest first) and locked in the subquery; SKIP LOCKED leaves
        # the ones another relay holds to it, and the UPDATE leases what this one got.
        rows = await fetch(self._connection, _claim(limit)(now, now + lease))
        ordered = sorted(rows, key=lambda r: r["seq"])
        return [OutboxMessage(r["id"], _event(r["event_type"], r["payload"]), r["attempts"],
                              r["traceparent"]) for r in ordered]

    async def mark_done(self, message_id: str, now: dt.datetime) -> None:
        await write(self._connection, _MARK_DONE(message_id, now),
                    missing=f"no outbox message '{message_id}'")

    async def retry_later(self, message_id: str, error: str, not_before: dt.datetime) -> None:
        await write(self._connection, _RETRY_LATER(message_id, not_before, error[:2000]),
                    missing=f"no outbox message '{message_id}'")

    async def backlog(self) -> OutboxBacklog:
        (row,) = await fetch(self._connection, _BACKLOG())
        return OutboxBacklog(row["messages"], row["oldest"])
