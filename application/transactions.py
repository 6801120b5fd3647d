"""Bounded retries, with jitter, for transactions that lose a race they may win next time."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from domain.errors import DateBusy, TransientFailure

T = TypeVar("T")

ATTEMPTS = 4
BASE_DELAY_SECONDS = 0.02


async def with_retries(work: Callable[[], Awaitable[T]], attempts: int = ATTEMPTS) -> T:
    """Run `work` (a whole transaction) again after a serialization failure, a deadlock or a
    busy date lock; the last failure propagates. Full jitter keeps racers from colliding again."""
    for attempt in range(1, attempts + 1):
        try:
            return await work()
        except (TransientFailure, DateBusy):
            if attempt == attempts:
                raise
            await asyncio.sleep(random.uniform(0, BASE_DELAY_SECONDS * 2**attempt))
    raise AssertionError("unreachable")
