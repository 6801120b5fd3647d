"""Outbox: events claimed under a lease, retried later, marked done; never lost."""

from __future__ import annotations

import datetime as dt

import pytest

from application.ports.outbox import OutboxMessage
from application.ports.unit_of_work import UnitOfWorkFactory
from domain.errors import Conflict, NotFound
from domain.events import (
    BookingCanceled,
    BookingPaid,
    BookingRefunded,
    DomainEvent,
    PaidSessionRefunded,
)
from tests.contract.conftest import FixedTrace
from tests.contract.samples import LEASE, NOW, at

# Every event type, as the outbox must store and give back each of them.
EVENTS: list[DomainEvent] = [
    BookingPaid(correlation_id="c1", booking_id="bk_1", session_id="cs_1",
                event_date="2026-06-20", email="ada@example.com", couple_name="Ada & Grace",
                total_cents=150_000),
    BookingCanceled(correlation_id="c2", booking_id="bk_2", session_id="cs_2",
                    event_date="2026-06-21", email="bo@example.com", couple_name="Bo & Cy",
                    refunded_cents=0),
    BookingCanceled(correlation_id="c3", booking_id="bk_3", session_id="cs_3",
                    event_date="2026-06-22", email="di@example.com", couple_name="Di & Ed",
                    refunded_cents=99_000),
    PaidSessionRefunded(correlation_id="c4", session_id="cs_4", event_date="2026-06-20",
                        email="bo@example.com", couple_name="Bo & Cy", amount_cents=99_000,
                        refund_id="re_4", reason="date_taken"),
    BookingRefunded(correlation_id="c5", booking_id="bk_1", session_id="cs_1",
                    event_date="2026-06-20", email="ada@example.com", couple_name="Ada & Grace",
                    amount_cents=150_000),
    PaidSessionRefunded(correlation_id="c6", session_id="cs_6", event_date="2026-07-01",
                        email="fy@example.com", couple_name="Fy & Gu", amount_cents=10_000,
                        refund_id="re_6", reason="package_withdrawn"),
]


async def _added(uow: UnitOfWorkFactory, count: int = len(EVENTS)) -> None:
    async with uow() as tx:
        for n, event in enumerate(EVENTS[:count]):
            await tx.outbox.add(f"msg_{n}", event, NOW)
        await tx.commit()


async def _claim(uow: UnitOfWorkFactory, now: dt.datetime, limit: int = 10,
                 lease: dt.timedelta = LEASE) -> list[OutboxMessage]:
    async with uow() as tx:
        claimed = await tx.outbox.claim(limit, now, lease)
        await tx.commit()
    return claimed


async def test_a_claim_returns_each_event_as_it_was_added(uow: UnitOfWorkFactory) -> None:
    await _added(uow)
    claimed = await _claim(uow, NOW)
    assert claimed == [OutboxMessage(f"msg_{n}", e, 1) for n, e in enumerate(EVENTS)]
    assert [type(m.event) for m in claimed] == [type(e) for e in EVENTS]


async def test_a_message_id_is_added_once(uow: UnitOfWorkFactory) -> None:
    await _added(uow, 1)
    async with uow() as tx:
        with pytest.raises(Conflict):
            await tx.outbox.add("msg_0", EVENTS[1], NOW)


async def test_a_claim_takes_at_most_limit_messages_oldest_first(uow: UnitOfWorkFactory) -> None:
    await _added(uow)
    assert [m.id for m in await _claim(uow, NOW, limit=2)] == ["msg_0", "msg_1"]
    assert [m.id for m in await _claim(uow, NOW, limit=2)] == ["msg_2", "msg_3"]


async def test_a_claimed_message_is_held_until_its_lease_lapses(uow: UnitOfWorkFactory) -> None:
    await _added(uow, 1)
    assert [m.attempts for m in await _claim(uow, NOW)] == [1]
    assert await _claim(uow, NOW + LEASE - dt.timedelta(seconds=1)) == []
    # The relay that claimed it died: the message is handed out again, one attempt more.
    again = await _claim(uow, NOW + LEASE)
    assert again == [OutboxMessage("msg_0", EVENTS[0], 2)]


async def test_a_message_marked_done_is_never_claimed_again(uow: UnitOfWorkFactory) -> None:
    await _added(uow, 2)
    await _claim(uow, NOW)
    async with uow() as tx:
        await tx.outbox.mark_done("msg_0", at(1))
        await tx.commit()
    assert [m.id for m in await _claim(uow, at(60))] == ["msg_1"]
    assert await _claim(uow, at(60)) == []


async def test_a_message_to_retry_waits_until_not_before(uow: UnitOfWorkFactory) -> None:
    await _added(uow, 1)
    await _claim(uow, NOW)
    async with uow() as tx:
        await tx.outbox.retry_later("msg_0", "mail server down", at(10))
        await tx.commit()
    # The retry frees the lease at once, but the message is not due before `not_before`.
    assert await _claim(uow, at(9)) == []
    assert await _claim(uow, at(10)) == [OutboxMessage("msg_0", EVENTS[0], 2)]


async def test_a_claim_takes_the_longest_due_messages_first(uow: UnitOfWorkFactory) -> None:
    await _added(uow, 3)
    await _claim(uow, NOW)
    async with uow() as tx:
        await tx.outbox.retry_later("msg_0", "down", at(20))
        await tx.outbox.retry_later("msg_1", "down", at(10))
        await tx.outbox.mark_done("msg_2", NOW)
        await tx.commit()
    assert [m.id for m in await _claim(uow, at(30), limit=1)] == ["msg_1"]
    assert [m.id for m in await _claim(uow, at(30), limit=1)] == ["msg_0"]


async def test_unknown_messages_cannot_be_marked(uow: UnitOfWorkFactory) -> None:
    async with uow() as tx:
        with pytest.raises(NotFound):
            await tx.outbox.mark_done("msg_nope", NOW)
    async with uow() as tx:
        with pytest.raises(NotFound):
            await tx.outbox.retry_later("msg_nope", "down", NOW)


async def test_an_uncommitted_claim_leaves_the_messages_due(uow: UnitOfWorkFactory) -> None:
    await _added(uow, 1)
    async with uow() as tx:
        assert len(await tx.outbox.claim(10, NOW, LEASE)) == 1
    assert await _claim(uow, NOW) == [OutboxMessage("msg_0", EVENTS[0], 1)]


async def test_a_message_keeps_the_traceparent_of_the_work_that_wrote_it(
    traced_uow: UnitOfWorkFactory,
) -> None:
    await _added(traced_uow, 1)
    [traced] = await _claim(traced_uow, NOW)
    assert traced.traceparent == FixedTrace.TRACEPARENT


async def test_a_message_written_by_untraced_work_has_no_traceparent(
    uow: UnitOfWorkFactory,
) -> None:
    await _added(uow, 1)
    [untraced] = await _claim(uow, NOW)
    assert untraced.traceparent is None
