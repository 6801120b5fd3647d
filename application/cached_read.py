"""A read kept for a short while, for reads many requests repeat (the catalog, the taken
dates), emptied by whoever learns of a change.

It serves copies only while it is trusted: while something (the real preset's PostgreSQL
listener) is sure to call `invalidate()` on every change, from this instance or another.
Untrusted, every `get` reads; the TTL bounds what a change that went unheard (a listening
connection dropped without a word) can cost.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


def _always(_: object) -> bool:
    return True


class CachedRead(Generic[T]):
    def __init__(self, ttl_seconds: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl_seconds
        self._monotonic = monotonic
        self._trusted = False
        # Each invalidation starts a new generation: a read begun in an older one may have
        # missed the change, so its result answers its own callers but is not kept.
        self._generation = 0
        # The copy, with the monotonic instant its read began.
        self._copy: tuple[T, float] | None = None
        self._pending: asyncio.Task[T] | None = None
        self._pending_generation = -1

    def trust(self) -> None:
        """Every change from now on will be announced: copies may be served (from a fresh
        read: what changed before went unheard)."""
        self.invalidate()
        self._trusted = True

    def distrust(self) -> None:
        """Changes may go unannounced: serve no copy until trusted again."""
        self._trusted = False
        self.invalidate()

    def invalidate(self) -> None:
        """Something the copy was read from changed: the next `get` reads again."""
        self._generation += 1
        self._copy = None

    async def get(
        self, read: Callable[[], Awaitable[T]], fits: Callable[[T], bool] = _always,
    ) -> T:
        """The kept copy when it is fresh and `fits`; else `read()`, once for every caller
        waiting at the same time, kept when nothing changed meanwhile. What `read()` raises
        reaches each caller, and nothing is kept."""
        if not self._trusted:
            return await read()
        copy = self._copy
        if copy is not None and self._monotonic() - copy[1] < self._ttl and fits(copy[0]):
            return copy[0]
        pending = self._pending
        if pending is not None and self._pending_generation == self._generation:
            # shield: a caller that gives up must not cancel the read the others wait for.
            shared = await asyncio.shield(pending)
            if fits(shared):
                return shared
        return await self._refill(read)

    async def _refill(self, read: Callable[[], Awaitable[T]]) -> T:
        generation, started = self._generation, self._monotonic()

        async def read_and_keep() -> T:
            value = await read()
            if generation == self._generation and self._trusted:
                # Aged from the read's start: its snapshot is at least that recent.
                self._copy = (value, started)
            return value

        task = asyncio.create_task(read_and_keep())
        self._pending, self._pending_generation = task, generation
        task.add_done_callback(self._settled)
        return await asyncio.shield(task)

    def _settled(self, task: asyncio.Task[T]) -> None:
        if self._pending is task:
            self._pending = None
        if not task.cancelled():
            task.exception()  # retrieved here: its callers may all have given up
