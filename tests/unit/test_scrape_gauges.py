"""Gauges read at scrape time: an outbox that cannot be read in time costs the scrape its
outbox gauges, never the page, and never a stale number; the pool says what "full" is."""

from __future__ import annotations

import asyncio

import pytest

from adapters.telemetry import scrape_gauges
from adapters.telemetry.prometheus_metrics import PrometheusMetrics
from tests.metrics_scrape import parse_samples, value


async def scraped(metrics: PrometheusMetrics) -> dict[str, float | None]:
    await metrics.refresh()
    samples = parse_samples(metrics.render()[0].decode())
    return {name: value(samples, name) for name in (
        "elope_outbox_backlog_messages", "elope_outbox_oldest_age_seconds",
        "elope_db_pool_size", "elope_db_pool_in_use", "elope_db_pool_max",
        "elope_lock_timeouts_total")}


async def test_the_outbox_is_read_at_every_scrape() -> None:
    metrics, reads = PrometheusMetrics(), iter([(3, 42.0), (0, 0.0)])

    async def read() -> tuple[int, float]:
        return next(reads)

    metrics.set_outbox_reader(read)

    first, second = await scraped(metrics), await scraped(metrics)
    assert (first["elope_outbox_backlog_messages"], first["elope_outbox_oldest_age_seconds"]) \
        == (3, 42)
    assert (second["elope_outbox_backlog_messages"], second["elope_outbox_oldest_age_seconds"]) \
        == (0, 0)


async def test_an_outbox_that_fails_or_hangs_drops_its_gauges_not_the_scrape(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(scrape_gauges, "OUTBOX_READ_SECONDS", 0.05)
    metrics, behaviour = PrometheusMetrics(), ["ok", "fail", "hang"]

    async def read() -> tuple[int, float]:
        now = behaviour.pop(0)
        if now == "fail":
            raise ConnectionError("database gone")
        if now == "hang":
            await asyncio.sleep(10)  # every pool connection taken
        return (5, 120.0)

    metrics.set_outbox_reader(read)

    healthy, failed, hung = [await scraped(metrics) for _ in range(3)]
    assert healthy["elope_outbox_backlog_messages"] == 5
    for page in (failed, hung):
        assert page["elope_outbox_backlog_messages"] is None  # absent, not the last value
        assert page["elope_outbox_oldest_age_seconds"] is None
        assert page["elope_lock_timeouts_total"] == 0  # the rest of the page is there


async def test_the_pool_gauges_say_how_full_the_pool_may_get() -> None:
    metrics = PrometheusMetrics()
    metrics.set_pool_reader(lambda: (4, 4), max_size=10)

    page = await scraped(metrics)

    # Every open connection busy, yet not exhausted: the pool may still open six more.
    assert (page["elope_db_pool_size"], page["elope_db_pool_in_use"],
            page["elope_db_pool_max"]) == (4, 4, 10)


async def test_without_a_pool_the_maximum_is_zero_so_no_exhaustion_is_read_into_it() -> None:
    page = await scraped(PrometheusMetrics())
    assert (page["elope_db_pool_size"], page["elope_db_pool_in_use"],
            page["elope_db_pool_max"]) == (0, 0, 0)
