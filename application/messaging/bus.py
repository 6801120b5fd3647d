"""Dispatches each command to its one handler; after it, relays the outbox.

A command is awaited and its error propagates to the caller. Events never travel here
directly: handlers write them to the outbox in their transaction, and the relay publishes them,
so a crash between commit and delivery loses nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from application.commands import Command
from application.messaging.outbox_relay import OutboxRelay
from application.ports.tracing import Tracing

log = logging.getLogger("elope.bus")

CommandHandler = Callable[[Any], Awaitable[Any]]


class MessageBus:
    def __init__(
        self, handlers: Mapping[type[Command], CommandHandler], relay: OutboxRelay,
        tracing: Tracing,
    ) -> None:
        self._handlers = dict(handlers)
        self._relay = relay
        self._tracing = tracing

    async def handle(self, command: Command) -> Any:
        handler = self._handlers[type(command)]
        name = type(command).__name__
        try:
            with self._tracing.span(f"command {name}", {"command": name,
                                                         "correlation.id": command.correlation_id}):
                return await handler(command)
        finally:
            await self.relay_outbox()

    async def relay_outbox(self) -> None:
        try:
            await self._relay.drain()
        except Exception:
            # The messages stay in the outbox; the periodic relay picks them up again.
            log.exception("outbox relay failed; will retry")
