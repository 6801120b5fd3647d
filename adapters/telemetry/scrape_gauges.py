"""Gauges read when /metrics is scraped rather than pushed as things happen: the database
pool and the outbox backlog. Read at scrape time, they are never older than the scrape.

Under `elope serve --workers N` they are the reading of the worker that answers the scrape,
not a sum. The outbox is the one database's, the same from every worker. The pool is that
worker's own, and elope_db_pool_max its DB_POOL_MAX, so "in use = max" still means a pool
that cannot grow (a sum would say so only once every worker's pool is full). Other workers'
pools cannot be read at scrape time, and a reading each wrote down now and then would be
stale just when a pool is stuck. Connections are spread over the workers, so the one that
answers is a fair sample."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable

from prometheus_client.metrics_core import GaugeMetricFamily, Metric

_log = logging.getLogger(__name__)

PoolReader = Callable[[], tuple[int, int]]
"""Returns (pool size, connections in use)."""

OutboxReader = Callable[[], Awaitable[tuple[int, float]]]
"""Returns (undelivered outbox messages, seconds the oldest of them has waited)."""

# A scrape waits at most this long for the outbox read. Prometheus' own scrape timeout is
# 10 s by default; an exhausted pool must cost the scrape the outbox gauges, not the
# whole page (the pool gauges then say why).
OUTBOX_READ_SECONDS = 2.0

_DOCS = {
    "elope_db_pool_size": "Connections open in the DB pool.",
    "elope_db_pool_in_use": "DB connections checked out.",
    "elope_db_pool_max": "The most connections the DB pool may open (DB_POOL_MAX; 0: no pool).",
    "elope_outbox_backlog_messages": "Outbox messages not yet delivered (due or awaiting a retry).",
    "elope_outbox_oldest_age_seconds": "How long the oldest undelivered outbox message has waited.",
}


def _no_pool() -> tuple[int, int]:
    return (0, 0)


class ScrapeGauges:
    """A custom collector: the pool is read once per scrape, so size and in-use agree; the
    outbox, which needs the database, is read by `refresh` just before (collect() is
    synchronous and runs on the event loop)."""

    def __init__(self) -> None:
        self.pool_reader: PoolReader = _no_pool
        self.pool_max = 0
        self.outbox_reader: OutboxReader | None = None
        self._outbox: tuple[int, float] | None = None

    async def refresh(self) -> None:
        if self.outbox_reader is None:
            return
        try:
            async with asyncio.timeout(OUTBOX_READ_SECONDS):
                self._outbox = await self.outbox_reader()
        except Exception:
            # Left out rather than left stale: a number from before the database went away
            # would tell the operator the outbox is fine.
            self._outbox = None
            _log.warning("outbox backlog unreadable; outbox gauges omitted", exc_info=True)

    def describe(self) -> Iterable[Metric]:
        # Names only, so the registry can check for duplicates without calling the readers.
        return [_gauge(name, None) for name in _DOCS]

    def collect(self) -> Iterable[Metric]:
        gauges: list[Metric] = []
        try:
            size, in_use = self.pool_reader()
        except Exception:
            # A closed/broken pool must not take the whole /metrics page down with it.
            _log.warning("db pool reader failed; pool gauges omitted", exc_info=True)
        else:
            gauges += [_gauge("elope_db_pool_size", size), _gauge("elope_db_pool_in_use", in_use)]
        gauges.append(_gauge("elope_db_pool_max", self.pool_max))
        if self._outbox is not None:
            messages, oldest_age = self._outbox
            gauges += [_gauge("elope_outbox_backlog_messages", messages),
                       _gauge("elope_outbox_oldest_age_seconds", oldest_age)]
        return gauges


def _gauge(name: str, value: float | None) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, _DOCS[name], value=value)
