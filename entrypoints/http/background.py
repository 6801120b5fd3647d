"""Work beside requests, with no request to trigger it: the outbox relay (woken by commits
that wrote messages, swept periodically as the backstop), the PostgreSQL listener that wakes
it for other instances' commits, the reconciler (after a lost webhook), and the replay of
webhooks kept as dead letters while the database was down."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from application.commands import ReconcileHolds, ReplayDeadLetters
from application.ids import new_id
from entrypoints.bootstrap import Elope

log = logging.getLogger("elope.background")


async def _every(seconds: float, job: Callable[[], Awaitable[object]], name: str) -> None:
    while True:
        try:
            await job()
        except Exception:
            log.exception("%s failed; next try in %ss", name, seconds)
        await asyncio.sleep(seconds)


@contextlib.asynccontextmanager
async def background_loops(elope: Elope) -> AsyncIterator[None]:
    settings = elope.settings

    async def reconcile() -> object:
        # Counted here: a round that raises as a whole (the database down, say) reaches no
        # per-hold action, and would otherwise show only in the log.
        try:
            report = await elope.bus.handle(ReconcileHolds(correlation_id=new_id("reconcile")))
        except Exception:
            elope.metrics.reconcile_run("failed")
            raise
        elope.metrics.reconcile_run("ok")
        return report

    async def replay_dead_letters() -> object:
        # No span and no query while the queue is empty: one directory listing.
        return await elope.bus.handle(ReplayDeadLetters(correlation_id=new_id("dead-letters")))

    jobs = [
        elope.relay.run(sweep_seconds=settings.outbox_relay_interval_seconds),
        _every(settings.reconcile_interval_seconds, reconcile, "reconciler"),
        _every(settings.dead_letter_replay_seconds, replay_dead_letters, "dead-letter replay"),
    ]
    if elope.notifications is not None:
        jobs.append(elope.notifications.listen())
    tasks = [asyncio.create_task(job) for job in jobs]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
