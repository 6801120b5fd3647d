"""Gauges read when /metrics is scraped rather than pushed as things happen: the database
pool, the outbox backlog and the dead-letter queue. Read at scrape time, they are never older
than the scrape.

Under `elope serve --workers N` they are the reading of the worker that answers the scrape,
not a sum. The outbox is the one database's, and the dead-letter queue the one DEAD_LETTER_DIR
the workers share: the same from every worker. The pool is that
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

DeadLetterReader = Callable[[], Awaitable[tuple[int, int]]]
"""Returns (dead letters replay will deliver, entries it never will); runs in a thread."""

# The same bound for the dead-letter directory (read side by side with the outbox, so a
# scrape waits for the slower of the two, not their sum).
DEAD_LETTER_READ_SECONDS = 2.0

_DOCS = {
    "elope_db_pool_size": "Connections open in the DB pool.",
    "elope_db_pool_in_use": "DB connections checked out.",
    "elope_db_pool_max": "The most connections the DB pool may open (DB_POOL_MAX; 0: no pool).",
    "elope_outbox_backlog_messages": "Outbox messages not yet delivered (due or awaiting a retry).",
    "elope_outbox_oldest_age_seconds": "How long the oldest undelivered outbox message has waited.",
    "elope_dead_letters_waiting": "Webhooks kept in DEAD_LETTER_DIR while the database was down,"
                                  " waiting for replay.",
    "elope_dead_letters_unreadable": "Entries of DEAD_LETTER_DIR replay will never deliver"
                                     " (damaged, foreign, or sealed under an old webhook secret).",
}


def _no_pool() -> tuple[int, int]:
    return (0, 0)


class ScrapeGauges:
    """A custom collector: the pool is read once per scrape, so size and in-use agree; the
    outbox, which needs the database, and the dead-letter directory, which needs the file
    system, are read by `refresh` just before (collect() is synchronous and runs on the event
    loop)."""

    def __init__(self) -> None:
        self.pool_reader: PoolReader = _no_pool
        self.pool_max = 0
        self.outbox_reader: OutboxReader | None = None
        self._outbox: tuple[int, float] | None = None
        self.dead_letter_reader: DeadLetterReader | None = None
        self._dead_letters: tuple[int, int] | None = None
        self._dead_letter_read: asyncio.Future[tuple[int, int]] | None = None

    async def refresh(self) -> None:
        await asyncio.gather(self._refresh_outbox(), self._refresh_dead_letters())

    async def _refresh_outbox(self) -> None:
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

    async def _refresh_dead_letters(self) -> None:
        if self.dead_letter_reader is None:
            return
        try:
            async with asyncio.timeout(DEAD_LETTER_READ_SECONDS):
                # Shielded: a timeout gives up waiting, not the read (its thread cannot be
                # stopped anyway), and the next scrape waits on that same read.
                self._dead_letters = await asyncio.shield(self._dead_letter_read_started())
        except Exception:
            # Left out rather than stale or 0: an unreadable directory is not an empty queue.
            self._dead_letters = None
            _log.warning("dead-letter directory unreadable; dead-letter gauges omitted",
                         exc_info=True)

    def _dead_letter_read_started(self) -> asyncio.Future[tuple[int, int]]:
        """The read still running from an earlier scrape (a hung file system), else a new
        one: one thread at most, so scrapes cannot fill the default thread pool that the
        dead-letter writes and password hashing share."""
        assert self.dead_letter_reader is not None
        running = self._dead_letter_read
        if (running is not None and not running.done()
                and running.get_loop() is asyncio.get_running_loop()):
            return running
        self._dead_letter_read = read = asyncio.ensure_future(self.dead_letter_reader())
        read.add_done_callback(_consumed)
        return read

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
        if self._dead_letters is not None:
            waiting, unreadable = self._dead_letters
            gauges += [_gauge("elope_dead_letters_waiting", waiting),
                       _gauge("elope_dead_letters_unreadable", unreadable)]
        return gauges


def _consumed(read: asyncio.Future[tuple[int, int]]) -> None:
    # A read that failed after its scrape gave up on it: already logged by a scrape or
    # replaced by a new read; retrieving it keeps asyncio from logging it again at exit.
    if not read.cancelled():
        read.exception()


def _gauge(name: str, value: float | None) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, _DOCS[name], value=value)
