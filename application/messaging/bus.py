"""Dispatches each command to its one handler.

A command is awaited and its error propagates to the caller. Events never travel here: a
handler's entities record them, the handler writes them to the outbox in its transaction, and
the outbox relay publishes them beside the request - so no response waits for an email, and a
crash between commit and delivery loses nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from application.commands import Command
from application.ports.tracing import Tracing

CommandHandler = Callable[[Any], Awaitable[Any]]


class MessageBus:
    def __init__(self, handlers: Mapping[type[Command], CommandHandler], tracing: Tracing) -> None:
        self._handlers = dict(handlers)
        self._tracing = tracing

    async def handle(self, command: Command) -> Any:
        """Run the command's handler in a span of its own (unless the command is not
        `traced`); returns what the handler returns."""
        handler = self._handlers[type(command)]
        if not command.traced:
            return await handler(command)
        name = type(command).__name__
        journey = command.correlation_id if command.starts_journey else ""
        with (self._tracing.journey(journey),
              self._tracing.span(f"command {name}", {"command": name,
                                                     "correlation.id": command.correlation_id})):
            return await handler(command)
