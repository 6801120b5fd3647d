from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from domain.events import DomainEvent


@dataclass(frozen=True)
class OutboxMessage:
    id: str
    event: DomainEvent
    attempts: int
    # Of the work that wrote the message: the relay's span for it links back there.
    traceparent: str | None = None


@dataclass(frozen=True)
class OutboxBacklog:
    """What the relay has not delivered yet: due messages and those waiting for a retry."""

    messages: int
    oldest_created_at: dt.datetime | None  # None when nothing waits

    def oldest_age(self, now: dt.datetime) -> dt.timedelta:
        """How long the oldest undelivered message has waited (zero when none waits)."""
        if self.oldest_created_at is None:
            return dt.timedelta(0)
        return max(now - self.oldest_created_at, dt.timedelta(0))


class Outbox(Protocol):
    """Events written in the same transaction as the change that raised them."""

    async def add(self, message_id: str, event: DomainEvent, now: dt.datetime) -> None:
        """Write the message in this unit of work, with the traceparent of the work writing
        it."""

    async def claim(
        self, limit: int, now: dt.datetime, lease: dt.timedelta,
    ) -> list[OutboxMessage]:
        """Take up to `limit` due messages nobody else holds (SKIP LOCKED semantics); the
        claim lapses after `lease`, so a relay that crashed gives its messages back."""

    async def mark_done(self, message_id: str, now: dt.datetime) -> None: ...

    async def retry_later(self, message_id: str, error: str, not_before: dt.datetime) -> None: ...

    async def backlog(self) -> OutboxBacklog:
        """Every message not marked done, whether due, leased or put off by `retry_later`."""
