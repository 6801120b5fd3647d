"""LISTEN for the notification a commit sends when it wrote outbox messages, so this
instance's relay wakes for work committed by any instance, not only its own."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import asyncpg

OUTBOX_CHANNEL = "elope_outbox"

log = logging.getLogger("elope.outbox")


class OutboxNotifications:
    def __init__(self, dsn: str, on_notify: Callable[[], None], retry_seconds: float = 5.0) -> None:
        self._dsn = dsn
        self._on_notify = on_notify
        self._retry_seconds = retry_seconds

    async def listen(self) -> None:
        """Hold a listening connection of its own until cancelled, reconnecting after a loss.
        Each (re)connect wakes the relay once: what was notified while nobody listened is
        otherwise left to the periodic sweep."""
        while True:
            connection: asyncpg.Connection | None = None
            try:
                connection = await asyncpg.connect(
                    self._dsn, server_settings={"application_name": "elope-outbox-listener"})
                lost = asyncio.Event()
                connection.add_termination_listener(lambda _, lost=lost: lost.set())
                await connection.add_listener(OUTBOX_CHANNEL, self._notified)
                self._on_notify()
                await lost.wait()
                log.warning("the outbox listener lost its connection; reconnecting")
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("the outbox listener cannot connect (%s); retrying in %ss",
                            type(exc).__name__, self._retry_seconds)
            finally:
                if connection is not None and not connection.is_closed():
                    connection.terminate()
            await asyncio.sleep(self._retry_seconds)

    def _notified(self, *_: object) -> None:
        self._on_notify()
