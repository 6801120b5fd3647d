"""Outbox backlog: how many messages the relay has not delivered, and since when the oldest
waits - what /metrics reports and the outbox-age alert watches. Same answers on both stores."""

from __future__ import annotations

import datetime as dt

from application.ports.outbox import OutboxBacklog
from application.ports.unit_of_work import UnitOfWorkFactory
from tests.contract.samples import LEASE, NOW, at
from tests.contract.test_outbox import EVENTS


async def _add(uow: UnitOfWorkFactory, *added: tuple[str, dt.datetime]) -> None:
    async with uow() as tx:
        for n, (message_id, created) in enumerate(added):
            await tx.outbox.add(message_id, EVENTS[n % len(EVENTS)], created)
        await tx.commit()


async def _backlog(uow: UnitOfWorkFactory) -> OutboxBacklog:
    async with uow() as tx:
        return await tx.outbox.backlog()


async def test_an_empty_outbox_has_no_backlog(uow: UnitOfWorkFactory) -> None:
    backlog = await _backlog(uow)
    assert backlog == OutboxBacklog(0, None)
    assert backlog.oldest_age(NOW) == dt.timedelta(0)


async def test_the_backlog_counts_undelivered_messages_and_dates_the_oldest(
    uow: UnitOfWorkFactory,
) -> None:
    await _add(uow, ("msg_a", at(0)), ("msg_b", at(5)), ("msg_c", at(9)))
    assert await _backlog(uow) == OutboxBacklog(3, at(0))

    async with uow() as tx:
        await tx.outbox.claim(10, at(10), LEASE)
        await tx.outbox.mark_done("msg_a", at(10))
        await tx.commit()

    backlog = await _backlog(uow)
    assert backlog == OutboxBacklog(2, at(5))
    assert backlog.oldest_age(at(20)) == dt.timedelta(minutes=15)


async def test_a_message_put_off_for_a_retry_still_waits_since_it_was_written(
    uow: UnitOfWorkFactory,
) -> None:
    # The case the alert is for: a mail server down for hours keeps pushing the message's
    # next attempt back; its age still counts from when the booking wrote it.
    await _add(uow, ("msg_a", at(0)))
    async with uow() as tx:
        await tx.outbox.claim(10, at(1), LEASE)
        await tx.outbox.retry_later("msg_a", "mail server down", at(60))
        await tx.commit()

    assert await _backlog(uow) == OutboxBacklog(1, at(0))


async def test_a_claimed_message_is_in_the_backlog_until_marked_done(
    uow: UnitOfWorkFactory,
) -> None:
    await _add(uow, ("msg_a", at(0)))
    async with uow() as tx:
        await tx.outbox.claim(10, at(1), LEASE)
        await tx.commit()
    assert await _backlog(uow) == OutboxBacklog(1, at(0))

    async with uow() as tx:
        await tx.outbox.mark_done("msg_a", at(2))
        await tx.commit()
    assert await _backlog(uow) == OutboxBacklog(0, None)
