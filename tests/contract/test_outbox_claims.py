"""Outbox claims as the relays see them: the order a batch comes back in, claims side by side,
and the count of added messages a unit of work signals the relay with at commit."""

from __future__ import annotations

import asyncio

import pytest

from application.ports.outbox import OutboxMessage
from application.ports.unit_of_work import UnitOfWorkFactory
from domain.errors import Conflict
from tests.contract.samples import LEASE, NOW, at
from tests.contract.test_outbox import EVENTS


async def _added(uow: UnitOfWorkFactory, count: int) -> None:
    async with uow() as tx:
        for n in range(count):
            await tx.outbox.add(f"msg_{n}", EVENTS[n], NOW)
        await tx.commit()


def _ids(messages: list[OutboxMessage]) -> list[str]:
    return [m.id for m in messages]


async def test_a_batch_comes_back_in_the_order_added_whatever_order_picked_it(
    uow: UnitOfWorkFactory,
) -> None:
    await _added(uow, 3)
    async with uow() as tx:
        await tx.outbox.claim(10, NOW, LEASE)
        await tx.outbox.retry_later("msg_0", "down", at(20))
        await tx.outbox.retry_later("msg_1", "down", at(10))
        await tx.outbox.retry_later("msg_2", "down", at(25))
        await tx.commit()
    async with uow() as tx:
        # Picked longest-due first (msg_1, then msg_0), handed back as they were added.
        first = await tx.outbox.claim(2, at(30), LEASE)
        rest = await tx.outbox.claim(2, at(30), LEASE)
        await tx.commit()
    assert _ids(first) == ["msg_0", "msg_1"]
    assert [m.attempts for m in first] == [2, 2]
    assert _ids(rest) == ["msg_2"]


async def test_a_claim_beside_an_uncommitted_claim_takes_only_the_other_messages(
    uow: UnitOfWorkFactory,
) -> None:
    await _added(uow, 4)

    async def other_relay() -> list[OutboxMessage]:
        async with uow() as tx:
            claimed = await tx.outbox.claim(10, NOW, LEASE)
            await tx.commit()
        return claimed

    async with uow() as tx:
        mine = await tx.outbox.claim(2, NOW, LEASE)
        # The other relay claims while this one's claim is still uncommitted (or, where
        # transactions take turns, right after it commits): never the same message twice.
        theirs = asyncio.create_task(other_relay())
        await asyncio.sleep(0.05)
        await tx.commit()
    assert _ids(mine) == ["msg_0", "msg_1"]
    assert _ids(await asyncio.wait_for(theirs, timeout=10)) == ["msg_2", "msg_3"]


async def test_the_outbox_counts_the_messages_its_unit_of_work_added(
    uow: UnitOfWorkFactory,
) -> None:
    async with uow() as tx:
        assert tx.outbox.added == 0  # type: ignore[attr-defined]
        await tx.outbox.add("msg_0", EVENTS[0], NOW)
        await tx.outbox.add("msg_1", EVENTS[1], NOW)
        assert tx.outbox.added == 2  # type: ignore[attr-defined]
        await tx.commit()
    async with uow() as tx:
        assert tx.outbox.added == 0  # type: ignore[attr-defined]
        # A refused message is no message (and on PostgreSQL it ends the transaction's use).
        with pytest.raises(Conflict):
            await tx.outbox.add("msg_0", EVENTS[2], NOW)
        assert tx.outbox.added == 0  # type: ignore[attr-defined]
