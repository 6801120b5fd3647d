"""CachedRead: a read many requests repeat, kept while it can be trusted to be current."""

from __future__ import annotations

import asyncio

import pytest

from application.cached_read import CachedRead


class Source:
    """A value in storage, and how many times it was read."""

    def __init__(self) -> None:
        self.value = "v1"
        self.reads = 0
        self.gate: asyncio.Event | None = None
        self.reading = asyncio.Event()

    async def read(self) -> str:
        self.reads += 1
        value = self.value
        self.reading.set()
        if self.gate is not None:
            await self.gate.wait()
        return value


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticks() -> Ticks:
    return Ticks()


@pytest.fixture
def cache(ticks: Ticks) -> CachedRead[str]:
    kept: CachedRead[str] = CachedRead(2.0, monotonic=ticks)
    kept.trust()
    return kept


async def test_a_trusted_copy_is_served_again_until_it_is_ttl_old(
    cache: CachedRead[str], ticks: Ticks,
) -> None:
    source = Source()
    assert await cache.get(source.read) == "v1"
    source.value = "v2"
    ticks.now = 1.9
    assert await cache.get(source.read) == "v1"
    assert source.reads == 1
    ticks.now = 2.0
    assert await cache.get(source.read) == "v2"
    assert source.reads == 2


async def test_an_invalidated_copy_is_read_again_at_once(cache: CachedRead[str]) -> None:
    source = Source()
    await cache.get(source.read)
    source.value = "v2"
    cache.invalidate()
    assert await cache.get(source.read) == "v2"


async def test_untrusted_it_reads_every_time(ticks: Ticks) -> None:
    cache: CachedRead[str] = CachedRead(2.0, monotonic=ticks)
    source = Source()
    await cache.get(source.read)
    await cache.get(source.read)
    assert source.reads == 2
    cache.trust()
    await cache.get(source.read)
    cache.distrust()
    source.value = "v2"
    assert await cache.get(source.read) == "v2"
    assert source.reads == 4


async def test_callers_at_the_same_moment_share_one_read(cache: CachedRead[str]) -> None:
    source = Source()
    source.gate = asyncio.Event()
    callers = [asyncio.create_task(cache.get(source.read)) for _ in range(5)]
    await source.reading.wait()
    source.gate.set()
    assert await asyncio.gather(*callers) == ["v1"] * 5
    assert source.reads == 1


async def test_a_read_overtaken_by_a_change_answers_its_callers_but_is_not_kept(
    cache: CachedRead[str],
) -> None:
    source = Source()
    source.gate = asyncio.Event()
    before = asyncio.create_task(cache.get(source.read))
    await source.reading.wait()
    source.value = "v2"
    cache.invalidate()  # the change is announced while the read is on its way
    source.gate.set()
    assert await before == "v1"
    assert await cache.get(source.read) == "v2"


async def test_a_caller_asking_after_a_change_does_not_wait_for_the_read_before_it(
    cache: CachedRead[str],
) -> None:
    source = Source()
    source.gate = asyncio.Event()
    before = asyncio.create_task(cache.get(source.read))
    await source.reading.wait()
    source.value = "v2"
    cache.invalidate()
    after = asyncio.create_task(cache.get(source.read))
    source.gate.set()
    assert (await before, await after) == ("v1", "v2")


async def test_a_failed_read_reaches_every_caller_and_keeps_nothing(cache: CachedRead[str]) -> None:
    async def failing() -> str:
        raise ConnectionError("the database went away")

    with pytest.raises(ConnectionError):
        await cache.get(failing)
    source = Source()
    assert await cache.get(source.read) == "v1"


async def test_a_copy_that_does_not_fit_the_question_is_read_again(
    cache: CachedRead[str],
) -> None:
    source = Source()
    await cache.get(source.read)
    source.value = "v2"
    assert await cache.get(source.read, fits=lambda kept: kept == "v2") == "v2"
    assert await cache.get(source.read) == "v2"  # and the new read is the copy now
    assert source.reads == 2
