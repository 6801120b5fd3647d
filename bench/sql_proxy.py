"""A TCP proxy in front of PostgreSQL that counts round trips.

A round trip is a client "turn": the client sends after the server last spoke (or for the
first time on a connection). Whatever the driver pipelines into one turn (asyncpg's Bind,
Execute and Sync of a prepared statement) is one trip; a statement prepared for the first
time costs two. Server messages nobody asked for (LISTEN notifications) start no turn.

It runs in the bench's own event loop: it serves a short pass of requests sent one at a
time, never a throughput run, whose timing it would distort.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable


class RoundTripProxy:
    """`on_turn(connection, first_bytes)`, if given, sees each turn start: what a turn is made
    of (a `Q` simple query, `P` parse, `B` bind...) when a count needs explaining."""

    def __init__(self, upstream_host: str, upstream_port: int,
                 on_turn: Callable[[int, bytes], None] | None = None) -> None:
        self._upstream = (upstream_host, upstream_port)
        self._on_turn = on_turn
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task[None]] = set()
        self.turns = 0
        self.connections = 0
        self.last_turn_at = time.monotonic()

    async def start(self) -> int:
        """Listen on a free local port; returns it."""
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        return int(self._server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for pipe in list(self._pipes):
            pipe.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)

    async def quiet(self, for_seconds: float = 0.2, at_most_seconds: float = 30.0) -> None:
        """Return once no turn started for `for_seconds`: the background work has settled."""
        deadline = time.monotonic() + at_most_seconds
        while True:
            # Polled, not awaited on an event: what it waits for is the absence of turns.
            idle = time.monotonic() - self.last_turn_at
            if idle >= for_seconds or time.monotonic() >= deadline:
                return
            await asyncio.sleep(min(0.05, for_seconds - idle))

    async def _accept(self, client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter) -> None:
        server_in, server_out = await asyncio.open_connection(*self._upstream)
        self.connections += 1
        connection = self.connections
        # One flag per connection: did the server speak last? The first client bytes are a turn.
        server_spoke_last = [True]

        async def client_to_server() -> None:
            while data := await client_in.read(65536):
                if server_spoke_last[0]:
                    self.turns += 1
                    self.last_turn_at = time.monotonic()
                    server_spoke_last[0] = False
                    if self._on_turn is not None:
                        self._on_turn(connection, data)
                server_out.write(data)
                await server_out.drain()

        async def server_to_client() -> None:
            while data := await server_in.read(65536):
                server_spoke_last[0] = True
                client_out.write(data)
                await client_out.drain()

        pipes = [asyncio.ensure_future(client_to_server()), asyncio.ensure_future(server_to_client())]
        self._pipes.update(pipes)
        try:
            # Either side hanging up ends the connection for both.
            await asyncio.wait(pipes, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pipe in pipes:
                pipe.cancel()
                self._pipes.discard(pipe)
            for writer in (client_out, server_out):
                with contextlib.suppress(OSError, RuntimeError):
                    writer.close()
