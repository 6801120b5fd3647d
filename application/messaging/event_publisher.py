"""Fans domain events out to subscribers over pyee, and reports which subscribers failed.

pyee runs coroutine listeners as fire-and-forget tasks, so each subscriber is wrapped: the
wrapper logs and counts a failure, and tells the publisher, which waits for every listener of
the event. An `error` listener catches anything that still escapes. Nothing fails silently.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from pyee.asyncio import AsyncIOEventEmitter

from application.ports.metrics import Metrics
from application.ports.tracing import Tracing
from domain.events import DomainEvent

log = logging.getLogger("elope.events")

Subscriber = Callable[[DomainEvent], Awaitable[None]]


@dataclass
class _Delivery:
    remaining: int
    failures: list[str] = field(default_factory=list)
    done: asyncio.Event = field(default_factory=asyncio.Event)

    def finish_one(self) -> None:
        self.remaining -= 1
        if self.remaining <= 0:
            self.done.set()


class EventPublisher:
    def __init__(self, tracing: Tracing, metrics: Metrics) -> None:
        self._tracing = tracing
        self._metrics = metrics
        self._emitter = AsyncIOEventEmitter()
        self._emitter.on("error", self._on_escaped_error)

    def subscribe(self, event_type: type[DomainEvent], name: str, subscriber: Subscriber) -> None:
        """Run `subscriber` (its ports already bound) for every published `event_type`."""

        async def listener(event: DomainEvent, delivery: _Delivery) -> None:
            attributes = {"subscriber": name, "event": type(event).__name__,
                          "correlation.id": event.correlation_id}
            try:
                with self._tracing.span(f"subscriber {name}", attributes):
                    await subscriber(event)
            except Exception as exc:
                delivery.failures.append(f"{name}: {type(exc).__name__}: {exc}")
                self._metrics.subscriber_failed(name)
                log.exception("subscriber %s failed on %s", name, type(event).__name__)
            finally:
                delivery.finish_one()

        self._emitter.on(event_type.__name__, listener)

    async def publish(self, event: DomainEvent) -> list[str]:
        """Run every subscriber of the event; returns the failures (empty when all succeeded)."""
        name = type(event).__name__
        count = len(self._emitter.listeners(name))
        if count == 0:
            return []
        delivery = _Delivery(remaining=count)
        self._emitter.emit(name, event, delivery)
        await delivery.done.wait()
        return delivery.failures

    def _on_escaped_error(self, error: BaseException) -> None:
        self._metrics.subscriber_failed("unknown")
        log.error("an event listener failed outside its wrapper: %r", error)
