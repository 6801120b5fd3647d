"""SentMailLog: what was sent, so it is never sent twice."""

from __future__ import annotations

from application.ports.unit_of_work import UnitOfWorkFactory
from tests.contract.samples import NOW, at


async def test_a_recorded_key_was_sent(uow: UnitOfWorkFactory) -> None:
    async with uow() as tx:
        assert await tx.sent_mail.was_sent("bk_1:confirmation") is False
        await tx.sent_mail.record("bk_1:confirmation", NOW)
        await tx.commit()
    async with uow() as tx:
        assert await tx.sent_mail.was_sent("bk_1:confirmation") is True
        assert await tx.sent_mail.was_sent("bk_1:refund") is False


async def test_recording_a_key_twice_is_fine(uow: UnitOfWorkFactory) -> None:
    async with uow() as tx:
        await tx.sent_mail.record("bk_1:confirmation", NOW)
        await tx.sent_mail.record("bk_1:confirmation", at(1))
        await tx.commit()
    async with uow() as tx:
        await tx.sent_mail.record("bk_1:confirmation", at(2))
        await tx.commit()
    async with uow() as tx:
        assert await tx.sent_mail.was_sent("bk_1:confirmation") is True
