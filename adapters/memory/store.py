"""The tables of the mock preset, and the lock that makes its transactions serializable."""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from domain.admin_user import AdminUser
from domain.blackout import Blackout
from domain.booking import Booking
from domain.catalog import AddOn, Package
from domain.customer import Customer
from domain.events import DomainEvent
from domain.hold import DateHold
from domain.timeline import TimelineEntry
from domain.webhook_event import WebhookEvent

# Every attribute a transaction snapshots and restores. Each holds immutable values (frozen
# dataclasses, or bookings the repositories copy in and out), so a shallow copy of the
# container is a full snapshot.
TABLES = (
    "packages", "add_ons", "bookings", "holds", "customers", "early_refunds", "blackouts",
    "webhook_events", "timeline", "outbox", "sent_mail", "admin_users", "calendar_events",
    "reconcile_claims",
)


@dataclass(frozen=True)
class OutboxRow:
    id: str
    event: DomainEvent
    available_at: dt.datetime
    created_at: dt.datetime  # as the table's: the backlog's age is counted from it
    attempts: int = 0
    claimed_until: dt.datetime | None = None
    done_at: dt.datetime | None = None
    last_error: str | None = None
    traceparent: str | None = None


@dataclass
class MemoryStore:
    """One in-memory database. Create one per app (or per test) and share it."""

    packages: dict[str, Package] = field(default_factory=dict)  # stored without add-ons
    add_ons: dict[str, AddOn] = field(default_factory=dict)  # insertion order is list order
    bookings: dict[str, Booking] = field(default_factory=dict)
    holds: dict[str, DateHold] = field(default_factory=dict)  # by session id
    customers: dict[str, Customer] = field(default_factory=dict)  # by email
    early_refunds: dict[str, None] = field(default_factory=dict)  # payment intent ids
    blackouts: dict[str, Blackout] = field(default_factory=dict)
    webhook_events: dict[str, WebhookEvent] = field(default_factory=dict)
    timeline: list[TimelineEntry] = field(default_factory=list)
    outbox: dict[str, OutboxRow] = field(default_factory=dict)
    sent_mail: dict[str, dt.datetime] = field(default_factory=dict)
    admin_users: dict[str, AdminUser] = field(default_factory=dict)  # by lower-cased email
    calendar_events: dict[str, str] = field(default_factory=dict)  # booking id -> event id
    reconcile_claims: dict[str, dt.datetime] = field(default_factory=dict)  # session -> until
    # The processors (Elope instances) running on this store: not a table, nothing rolls it
    # back; a processor is in it for as long as it runs.
    live_processors: set[str] = field(default_factory=set, repr=False, compare=False)
    # Held by each unit of work for its whole life: one transaction at a time.
    lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False, compare=False)
    _owner: asyncio.Task[Any] | None = field(default=None, repr=False, compare=False)

    async def begin(self) -> None:
        task = asyncio.current_task()
        if task is not None and task is self._owner:
            # The lock is not re-entrant: waiting here would hang the task forever.
            raise RuntimeError("a memory unit of work is already open in this task")
        await self.lock.acquire()
        self._owner = task

    def end(self) -> None:
        self._owner = None
        self.lock.release()

    def snapshot(self) -> dict[str, Any]:
        return {name: copy.copy(getattr(self, name)) for name in TABLES}

    def restore(self, snapshot: dict[str, Any]) -> None:
        # In place, so a test holding a reference to a table sees the rolled-back state.
        for name in TABLES:
            table = getattr(self, name)
            if isinstance(table, dict):
                table.clear()
                table.update(snapshot[name])
            else:
                table[:] = snapshot[name]

    # Read-only views for tests and metrics; they take no lock and change nothing.

    def pending_outbox_count(self) -> int:
        return sum(1 for row in self.outbox.values() if row.done_at is None)

    def pending_outbox_events(self) -> list[DomainEvent]:
        return [row.event for row in self.outbox.values() if row.done_at is None]
