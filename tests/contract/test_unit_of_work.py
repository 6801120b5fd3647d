"""UnitOfWork: one transaction over every repository, rolled back unless committed."""

from __future__ import annotations

import dataclasses

import pytest

from application.ports.unit_of_work import UnitOfWorkFactory
from domain.blackout import Blackout
from domain.booking import BookingStatus
from domain.errors import Conflict, NotFound
from domain.timeline import TimelineEntry, TimelineKind
from domain.webhook_event import WebhookStatus
from tests.contract.samples import DAY, LEASE, NOW, booking, day, hold, package, webhook_event
from tests.contract.test_outbox import EVENTS


class Boom(Exception):
    pass


async def _write_a_little_of_everything(tx_factory: UnitOfWorkFactory, *, commit: bool) -> None:
    async with tx_factory() as tx:
        await tx.packages.add(package())
        await tx.bookings.add(booking("bk_1"))
        await tx.holds.place(hold("cs_9", date=day(1)), NOW)
        await tx.blackouts.add(Blackout("bo_1", day(2), None))
        await tx.sent_mail.record("bk_1:confirmation", NOW)
        if commit:
            await tx.commit()


async def _nothing_is_there(uow: UnitOfWorkFactory) -> None:
    async with uow() as tx:
        assert await tx.packages.get("pkg_sunrise") is None
        assert await tx.bookings.get("bk_1") is None
        assert await tx.holds.get("cs_9") is None
        assert await tx.blackouts.list_all() == []
        assert await tx.sent_mail.was_sent("bk_1:confirmation") is False


async def test_nothing_is_kept_without_commit(uow: UnitOfWorkFactory) -> None:
    await _write_a_little_of_everything(uow, commit=False)
    await _nothing_is_there(uow)


async def test_an_exception_rolls_everything_back_and_propagates(uow: UnitOfWorkFactory) -> None:
    with pytest.raises(Boom):
        async with uow() as tx:
            await tx.packages.add(package())
            await tx.bookings.add(booking("bk_1"))
            raise Boom
    await _nothing_is_there(uow)


async def test_a_commit_is_seen_by_the_next_unit_of_work(uow: UnitOfWorkFactory) -> None:
    await _write_a_little_of_everything(uow, commit=True)
    async with uow() as tx:
        assert await tx.bookings.get("bk_1") == booking("bk_1")
        assert await tx.holds.get("cs_9") == hold("cs_9", date=day(1))
        assert await tx.blackouts.dates_between(day(0), day(5)) == {day(2)}
        assert await tx.sent_mail.was_sent("bk_1:confirmation") is True


async def test_a_rolled_back_unit_leaves_earlier_commits_alone(uow: UnitOfWorkFactory) -> None:
    await _write_a_little_of_everything(uow, commit=True)
    with pytest.raises(Boom):
        async with uow() as tx:
            await tx.bookings.save_status(booking("bk_1", status=BookingStatus.CANCELED))
            await tx.blackouts.remove("bo_1")
            raise Boom
    async with uow() as tx:
        assert await tx.bookings.get("bk_1") == booking("bk_1")
        assert await tx.blackouts.get("bo_1") == Blackout("bo_1", day(2), None)


async def test_a_transaction_reads_its_own_writes(uow: UnitOfWorkFactory) -> None:
    async with uow() as tx:
        await tx.packages.add(package())
        await tx.bookings.add(booking("bk_1"))
        assert await tx.bookings.paid_on(DAY) == booking("bk_1")
        assert await tx.bookings.references_package("pkg_sunrise") is True


async def test_a_locked_date_leaves_the_transaction_working(uow: UnitOfWorkFactory) -> None:
    async with uow() as tx:
        await tx.lock_date(DAY)
        await tx.lock_date(DAY)  # again in the same transaction: still ours
        await tx.lock_date(day(1))
        await tx.packages.add(package())
        await tx.bookings.add(booking("bk_1"))
        await tx.commit()
    async with uow() as tx:
        # The lock ended with the transaction that took it.
        await tx.lock_date(DAY)
        assert await tx.bookings.get("bk_1") == booking("bk_1")


async def test_a_commit_is_a_checkpoint_later_work_needs_its_own(uow: UnitOfWorkFactory) -> None:
    with pytest.raises(Boom):
        async with uow() as tx:
            await tx.early_refunds.remember("pi_kept")
            await tx.commit()
            await tx.early_refunds.remember("pi_lost")
            raise Boom
    async with uow() as tx:
        await tx.early_refunds.remember("pi_also_kept")
        await tx.commit()
        await tx.early_refunds.remember("pi_dropped")  # no second commit: rolled back at exit
    async with uow() as tx:
        assert await tx.early_refunds.take("pi_kept") is True
        assert await tx.early_refunds.take("pi_also_kept") is True
        assert await tx.early_refunds.take("pi_lost") is False
        assert await tx.early_refunds.take("pi_dropped") is False


async def test_committing_twice_keeps_both_parts(uow: UnitOfWorkFactory) -> None:
    async with uow() as tx:
        await tx.early_refunds.remember("pi_1")
        await tx.commit()
        await tx.early_refunds.remember("pi_2")
        await tx.commit()
    async with uow() as tx:
        assert await tx.early_refunds.take("pi_1") is True
        assert await tx.early_refunds.take("pi_2") is True


async def test_writes_in_a_batch_are_read_back_inside_it_and_committed(
    uow: UnitOfWorkFactory,
) -> None:
    entry = TimelineEntry("cs_1", NOW, TimelineKind.STATUS, "booked", "corr_1")
    async with uow() as tx:
        await tx.webhook_events.add(webhook_event("evt_1"))
        async with tx.batch():
            await tx.timeline.add(entry)
            await tx.outbox.add("msg_1", EVENTS[0], NOW)
            # A read in the batch sees what the batch wrote before it.
            assert await tx.timeline.for_session("cs_1") == [entry]
            await tx.webhook_events.save(dataclasses.replace(
                webhook_event("evt_1"), status=WebhookStatus.PROCESSED))
        await tx.commit()
    async with uow() as tx:
        assert await tx.timeline.for_session("cs_1") == [entry]
        stored = await tx.webhook_events.get_for_update("evt_1")
        assert stored is not None and stored.status is WebhookStatus.PROCESSED
        assert [m.id for m in await tx.outbox.claim(5, NOW, LEASE)] == ["msg_1"]


async def test_a_batch_raises_its_writes_errors_by_its_end_and_commits_none_of_them(
    uow: UnitOfWorkFactory,
) -> None:
    entry = TimelineEntry("cs_1", NOW, TimelineKind.STATUS, "booked", "corr_1")
    async with uow() as tx:
        await tx.outbox.add("msg_1", EVENTS[0], NOW)
        await tx.commit()
    for failing, error in ((lambda tx: tx.outbox.add("msg_1", EVENTS[1], NOW), Conflict),
                           (lambda tx: tx.webhook_events.save(webhook_event("evt_nope")),
                            NotFound)):
        with pytest.raises(error):
            async with uow() as tx:
                async with tx.batch():
                    await tx.timeline.add(entry)
                    await failing(tx)
                await tx.commit()
    async with uow() as tx:
        assert await tx.timeline.for_session("cs_1") == []


async def test_a_batch_that_only_writes_and_commits_is_all_or_nothing(
    uow: UnitOfWorkFactory,
) -> None:
    kept = TimelineEntry("cs_1", NOW, TimelineKind.EMAIL, "sent", "corr_1")
    async with uow() as tx, tx.batch():
        await tx.timeline.add(kept)
        await tx.sent_mail.record("mail_1", NOW)
        await tx.commit()
    with pytest.raises(NotFound):
        async with uow() as tx, tx.batch():
            await tx.timeline.add(dataclasses.replace(kept, detail="lost"))
            await tx.outbox.mark_done("msg_nope", NOW)
            await tx.commit()
    async with uow() as tx:
        assert await tx.timeline.for_session("cs_1") == [kept]
        assert await tx.sent_mail.was_sent("mail_1") is True
