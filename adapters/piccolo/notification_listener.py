"""One PostgreSQL LISTEN connection per process, for every channel this instance follows:
the outbox relay's wake-up, and the changes that empty the read caches."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping

import asyncpg

log = logging.getLogger("elope.notifications")


def _nothing() -> None:
    return None


class NotificationListener:
    def __init__(
        self, dsn: str, channels: Mapping[str, Callable[[str], None]], *,
        on_connect: Callable[[], None] = _nothing, on_lost: Callable[[], None] = _nothing,
        on_session: Callable[[asyncpg.Connection], Awaitable[None]] | None = None,
        retry_seconds: float = 5.0, application_name: str = "elope-listener",
    ) -> None:
        """`channels` maps each channel to what its payloads are handed to. `on_connect` runs
        once every channel is listened to, after each (re)connect: what was notified while
        nobody listened is lost. `on_lost` runs when listening stops, for whatever reason.
        `on_session` may take what must live exactly as long as this connection (a session
        lock), before the channels are listened to."""
        self._dsn = dsn
        self._channels = dict(channels)
        self._on_connect = on_connect
        self._on_lost = on_lost
        self._on_session = on_session
        self._retry_seconds = retry_seconds
        self._application_name = application_name
        self._listening = False

    @property
    def listening(self) -> bool:
        """Whether every channel is listened to right now."""
        return self._listening

    async def listen(self) -> None:
        """Hold a listening connection of its own until cancelled, reconnecting after a loss:
        at once after one that had listened for a while (a server restart, a cut connection),
        else after `retry_seconds` (the server refuses, or drops us as soon as we come)."""
        loop = asyncio.get_running_loop()
        while True:
            connection: asyncpg.Connection | None = None
            listened_since: float | None = None
            try:
                connection = await asyncpg.connect(
                    self._dsn, server_settings={"application_name": self._application_name})
                lost = asyncio.Event()
                connection.add_termination_listener(lambda _, lost=lost: lost.set())
                if self._on_session is not None:
                    await self._on_session(connection)
                for channel, handler in self._channels.items():
                    await connection.add_listener(channel, self._forward_to(handler))
                self._listening, listened_since = True, loop.time()
                self._on_connect()
                await lost.wait()
                log.warning("the listener %s lost its connection; reconnecting",
                            self._application_name)
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("the listener %s cannot connect (%s); retrying in %ss",
                            self._application_name, type(exc).__name__, self._retry_seconds)
            finally:
                if self._listening:
                    self._listening = False
                    self._on_lost()
                if connection is not None and not connection.is_closed():
                    connection.terminate()
            if listened_since is None or loop.time() - listened_since < self._retry_seconds:
                await asyncio.sleep(self._retry_seconds)

    @staticmethod
    def _forward_to(handler: Callable[[str], None]) -> Callable[..., None]:
        def notified(_connection: object, _pid: int, _channel: str, payload: str) -> None:
            handler(payload)

        return notified
