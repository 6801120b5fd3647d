"""Rate limits in process memory: the `limits` library's fixed windows. Per process, so the
mock preset (one process by design) is the only place it is used."""

from __future__ import annotations

import time

from limits import RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import FixedWindowRateLimiter

from application.ports.rate_limits import RateLimit


class MemoryRateLimiter:
    def __init__(self) -> None:
        self._limiter = FixedWindowRateLimiter(MemoryStorage())

    async def hit(self, limit: RateLimit, key: str) -> float | None:
        item = _item(limit)
        if await self._limiter.hit(item, key):
            return None
        return await self._wait(limit, key)

    async def blocked_for(self, limit: RateLimit, key: str) -> float | None:
        if await self._limiter.test(_item(limit), key):
            return None
        return await self._wait(limit, key)

    async def _wait(self, limit: RateLimit, key: str) -> float:
        stats = await self._limiter.get_window_stats(_item(limit), key)
        return max(stats.reset_time - time.time(), 0.0)


def _item(limit: RateLimit) -> RateLimitItemPerSecond:
    return RateLimitItemPerSecond(limit.amount, limit.seconds, namespace=limit.name)
