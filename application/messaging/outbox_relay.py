"""Hands outbox messages to the event publisher, beside requests; what fails is retried later,
never dropped.

A commit that wrote outbox messages wakes the relay (`wake`, called by the unit of work in
this process, and by a PostgreSQL notification from any other); `run` drains, then sleeps
until the next wake or the periodic sweep, the backstop for anything a wake missed. Messages
are claimed under a lease (SKIP LOCKED in PostgreSQL), so any number of relays, in any number
of processes, deliver each message once.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging

from application.messaging.event_publisher import EventPublisher
from application.ports.clock import Clock
from application.ports.outbox import OutboxMessage
from application.ports.tracing import Tracing
from application.ports.unit_of_work import UnitOfWorkFactory

log = logging.getLogger("elope.outbox")

BATCH = 20
LEASE = dt.timedelta(minutes=2)
# How long a wake-up waits for more commits before draining: under load, the messages of many
# bookings share one claim, and requests get the event loop while they arrive.
COALESCE_SECONDS = 0.02


def retry_delay(attempts: int) -> dt.timedelta:
    """Exponential back-off, capped at an hour, so a broken mail server is not hammered."""
    return dt.timedelta(seconds=min(3600, 5 * 2 ** min(attempts, 10)))


class OutboxRelay:
    def __init__(
        self, uow: UnitOfWorkFactory, publisher: EventPublisher, clock: Clock,
        tracing: Tracing, lease: dt.timedelta = LEASE,
    ) -> None:
        self._uow = uow
        self._publisher = publisher
        self._clock = clock
        self._tracing = tracing
        # How long a claimed message stays invisible to other relays: long enough to deliver
        # it, short enough that a relay that died mid-way does not delay its email for long.
        self._lease = lease
        self._wakeup = asyncio.Event()

    def wake(self) -> None:
        """New messages were committed: drain soon. Cheap, never blocks, safe to call often."""
        self._wakeup.set()

    async def run(self, sweep_seconds: float, coalesce_seconds: float = COALESCE_SECONDS) -> None:
        """Drain whenever woken (`coalesce_seconds` later), and every `sweep_seconds`
        regardless, until cancelled."""
        while True:
            if self._wakeup.is_set():
                await asyncio.sleep(coalesce_seconds)
            # Cleared before draining: a wake that arrives during the drain is not lost.
            self._wakeup.clear()
            try:
                await self.drain()
            except Exception:
                # The messages stay in the outbox; the next wake or sweep tries again.
                log.exception("outbox relay failed; will retry")
            # asyncio.timeout, not wait_for: on 3.11, wait_for loses a cancel that arrives
            # as the wake-up does, and the relay would outlive its shutdown.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(sweep_seconds):
                    await self._wakeup.wait()

    async def drain(self) -> int:
        """Relay every due message; returns how many were delivered."""
        delivered = 0
        while True:
            async with self._uow() as uow:
                batch = await uow.outbox.claim(BATCH, self._clock.now(), self._lease)
                await uow.commit()
            if not batch:
                return delivered
            published = [(message, await self._deliver(message)) for message in batch]
            # The whole batch is settled in one statement. A crash before it delivers these
            # messages again once their lease lapses: the subscribers are idempotent (the
            # sent-mail log, calendar event ids), so that costs a check, never a second email.
            async with self._uow() as uow, uow.batch():
                now = self._clock.now()
                for message, failures in published:
                    if failures:
                        not_before = now + retry_delay(message.attempts)
                        await uow.outbox.retry_later(message.id, "; ".join(failures), not_before)
                    else:
                        await uow.outbox.mark_done(message.id, now)
                        delivered += 1
                await uow.commit()
            if len(batch) < BATCH:
                # Nothing else was due when this batch was claimed: what is committed since
                # wakes the relay again, and the sweep finds what comes due later - so no
                # claim (a transaction) that can only come back empty.
                return delivered

    async def _deliver(self, message: OutboxMessage) -> list[str]:
        """Publish one message in a span of its own, linked to the work that wrote it and of
        its booking's journey; the subscribers' spans are its children."""
        event = message.event
        name = type(event).__name__
        attributes = {"event": name, "outbox.message_id": message.id,
                      "outbox.attempt": str(message.attempts),
                      "correlation.id": event.correlation_id}
        with (self._tracing.journey(event.correlation_id),
              self._tracing.linked_span(f"outbox {name}", message.traceparent, attributes)):
            failures = await self._publisher.publish(event)
            if failures:
                self._tracing.annotate({"outbox.failed_subscribers": str(len(failures))})
            return failures
