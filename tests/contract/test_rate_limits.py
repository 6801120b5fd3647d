"""The RateLimiter contract, on process memory and on PostgreSQL (shared by instances)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.memory.rate_limits import MemoryRateLimiter
from application.ports.rate_limits import RateLimit, RateLimiter, parse_rate

HOUR = RateLimit("checkout", 3, 3600)


@pytest.fixture
async def limiter(backend_dsn: str | None) -> AsyncIterator[RateLimiter]:
    if backend_dsn is None:
        yield MemoryRateLimiter()
        return
    from adapters.piccolo.database import PiccoloDatabase
    from adapters.piccolo.rate_limits import PiccoloRateLimiter

    db = PiccoloDatabase(backend_dsn, pool_min=1, pool_max=2)
    await db.open()
    try:
        yield PiccoloRateLimiter(db)
    finally:
        await db.close()


async def test_hits_within_the_amount_pass_and_the_next_one_waits_for_the_window(
    limiter: RateLimiter,
) -> None:
    assert [await limiter.hit(HOUR, "203.0.113.7") for _ in range(3)] == [None, None, None]
    wait = await limiter.hit(HOUR, "203.0.113.7")
    assert wait is not None and 0 < wait <= 3600


async def test_asking_whether_a_key_is_blocked_counts_nothing(limiter: RateLimiter) -> None:
    for _ in range(5):
        assert await limiter.blocked_for(HOUR, "203.0.113.7") is None
    for _ in range(3):
        await limiter.hit(HOUR, "203.0.113.7")
    wait = await limiter.blocked_for(HOUR, "203.0.113.7")
    assert wait is not None and 0 < wait <= 3600


async def test_each_key_and_each_limit_has_its_own_budget(limiter: RateLimiter) -> None:
    for _ in range(4):
        await limiter.hit(HOUR, "203.0.113.7")
    assert await limiter.hit(HOUR, "203.0.113.8") is None
    assert await limiter.hit(RateLimit("login", 3, 3600), "203.0.113.7") is None


def test_a_rate_is_read_as_amount_per_unit() -> None:
    assert parse_rate("10/minute", "checkout") == RateLimit("checkout", 10, 60)
    assert parse_rate(" 100 / Second ", "webhook") == RateLimit("webhook", 100, 1)
    for bad in ("10", "0/minute", "ten/minute", "10/day", "-1/hour"):
        with pytest.raises(ValueError, match="N/second"):
            parse_rate(bad, "checkout")
