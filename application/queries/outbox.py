"""How far the outbox relay is behind, as /metrics reports it."""

from __future__ import annotations

from application.ports.clock import Clock
from application.ports.unit_of_work import UnitOfWorkFactory


async def outbox_lag(uow: UnitOfWorkFactory, clock: Clock) -> tuple[int, float]:
    """(messages not yet delivered, seconds the oldest of them has waited). The outbox is
    shared: every instance reports the same numbers, so alert on their max, not their sum."""
    async with uow() as tx:
        backlog = await tx.outbox.backlog()
    return backlog.messages, backlog.oldest_age(clock.now()).total_seconds()
