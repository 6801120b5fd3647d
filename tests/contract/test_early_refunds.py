"""EarlyRefundRepository: a refund that came before its booking is taken exactly once."""

from __future__ import annotations

from application.ports.unit_of_work import UnitOfWorkFactory


async def test_a_remembered_refund_is_taken_once(uow: UnitOfWorkFactory) -> None:
    async with uow() as tx:
        await tx.early_refunds.remember("pi_1")
        await tx.commit()
    async with uow() as tx:
        assert await tx.early_refunds.take("pi_1") is True
        assert await tx.early_refunds.take("pi_1") is False
        await tx.commit()
    async with uow() as tx:
        assert await tx.early_refunds.take("pi_1") is False


async def test_remembering_twice_is_fine_and_still_taken_once(uow: UnitOfWorkFactory) -> None:
    async with uow() as tx:
        await tx.early_refunds.remember("pi_1")
        await tx.early_refunds.remember("pi_1")
        await tx.commit()
    async with uow() as tx:
        await tx.early_refunds.remember("pi_1")  # a redelivered refund event
        await tx.commit()
    async with uow() as tx:
        assert await tx.early_refunds.take("pi_1") is True
        assert await tx.early_refunds.take("pi_1") is False


async def test_nothing_waits_for_an_unknown_payment(uow: UnitOfWorkFactory) -> None:
    async with uow() as tx:
        await tx.early_refunds.remember("pi_1")
        assert await tx.early_refunds.take("pi_2") is False
        assert await tx.early_refunds.take("pi_1") is True
