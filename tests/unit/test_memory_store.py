from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt

import pytest

from adapters.memory.packages import MemoryPackageRepository
from adapters.memory.store import MemoryStore
from adapters.memory.unit_of_work import MemoryUnitOfWork, memory_uow_factory
from domain.booking import Booking, BookingStatus
from domain.catalog import Package
from domain.errors import Conflict, DateAlreadyBooked, DateUnavailable, StaleVersion
from domain.event_date import EventDate
from domain.events import BookingPaid
from domain.hold import DateHold
from domain.money import Money

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
DAY = EventDate(dt.date(2026, 6, 20))
LEASE = dt.timedelta(minutes=2)


@pytest.fixture
def store() -> MemoryStore:
    """A store whose catalog has the package the bookings below reference."""
    fresh = MemoryStore()
    fresh.packages["pkg_1"] = Package.create("pkg_1", "sunrise", "Sunrise", "", 100_000)
    return fresh


def booking(id: str, session_id: str, status: BookingStatus = BookingStatus.PAID,
            date: EventDate = DAY) -> Booking:
    return Booking(
        id=id, package_id="pkg_1", couple_name="Ada & Bo", email="ada@example.com",
        phone=None, event_date=date, add_ons=(), total=Money(150_000), status=status,
        created_at=NOW, session_id=session_id, payment_intent_id=f"pi_{session_id}",
    )


def paid_event(n: int) -> BookingPaid:
    return BookingPaid(correlation_id=f"c{n}", booking_id=f"bk_{n}", session_id=f"cs_{n}",
                       event_date=str(DAY),
                       email="ada@example.com", couple_name="Ada & Bo", total_cents=100)


async def test_changes_are_rolled_back_unless_committed(store: MemoryStore) -> None:
    async with MemoryUnitOfWork(store) as uow:
        await uow.bookings.add(booking("bk_1", "cs_1"))
    async with MemoryUnitOfWork(store) as uow:
        assert await uow.bookings.get("bk_1") is None
        await uow.bookings.add(booking("bk_1", "cs_1"))
        await uow.commit()
    async with MemoryUnitOfWork(store) as uow:
        assert await uow.bookings.get("bk_1") is not None


async def test_an_exception_rolls_back_but_keeps_what_was_committed_before_it(
    store: MemoryStore,
) -> None:
    with pytest.raises(RuntimeError):
        async with MemoryUnitOfWork(store) as uow:
            await uow.early_refunds.remember("pi_kept")
            await uow.commit()
            await uow.early_refunds.remember("pi_lost")
            raise RuntimeError("boom")
    async with MemoryUnitOfWork(store) as uow:
        assert await uow.early_refunds.take("pi_kept")
        assert not await uow.early_refunds.take("pi_lost")


async def test_a_returned_booking_is_a_copy_the_caller_may_change_freely(
    store: MemoryStore,
) -> None:
    async with MemoryUnitOfWork(store) as uow:
        await uow.bookings.add(booking("bk_1", "cs_1"))
        loaded = await uow.bookings.get("bk_1")
        assert loaded is not None
        loaded.mark_refunded()
        reloaded = await uow.bookings.get("bk_1")
        assert reloaded is not None
        assert reloaded.status is BookingStatus.PAID
        assert reloaded.events == []


async def test_a_second_paid_booking_for_the_same_date_is_refused(store: MemoryStore) -> None:
    async with MemoryUnitOfWork(store) as uow:
        await uow.bookings.add(booking("bk_1", "cs_1"))
        with pytest.raises(DateAlreadyBooked):
            await uow.bookings.add(booking("bk_2", "cs_2"))


async def test_a_refunded_booking_no_longer_blocks_its_date(store: MemoryStore) -> None:
    async with MemoryUnitOfWork(store) as uow:
        first = booking("bk_1", "cs_1")
        await uow.bookings.add(first)
        first.mark_refunded()
        await uow.bookings.save_status(first)
        await uow.bookings.add(booking("bk_2", "cs_2"))
        assert await uow.bookings.paid_dates_between(DAY, DAY) == {DAY}
        paid = await uow.bookings.paid_on(DAY)
        assert paid is not None and paid.id == "bk_2"


async def test_a_checkout_session_makes_at_most_one_booking(store: MemoryStore) -> None:
    later = DAY.plus_days(1)
    async with MemoryUnitOfWork(store) as uow:
        await uow.bookings.add(booking("bk_1", "cs_1", BookingStatus.REFUNDED))
        with pytest.raises(Conflict):
            await uow.bookings.add(booking("bk_2", "cs_1", date=later))


async def test_a_date_has_at_most_one_active_hold(store: MemoryStore) -> None:
    async with MemoryUnitOfWork(store) as uow:
        await uow.holds.place(DateHold("cs_1", DAY, NOW + dt.timedelta(minutes=30)), NOW)
        with pytest.raises(DateUnavailable) as refused:
            await uow.holds.place(DateHold("cs_2", DAY, NOW + dt.timedelta(minutes=30)), NOW)
        assert refused.value.reason == "held"


async def test_an_expired_or_released_hold_no_longer_blocks_its_date(
    store: MemoryStore,
) -> None:
    expiry = NOW + dt.timedelta(minutes=30)
    async with MemoryUnitOfWork(store) as uow:
        await uow.holds.place(DateHold("cs_1", DAY, expiry), NOW)
        await uow.holds.place(DateHold("cs_2", DAY, expiry + dt.timedelta(minutes=30)), expiry)
        assert await uow.holds.held_dates_between(DAY, DAY, expiry) == {DAY}
        claimed = await uow.holds.claim_unsettled(expiry, 10, dt.timedelta(minutes=2))
        assert [h.session_id for h in claimed] == ["cs_1"]

        released = await uow.holds.release("cs_2", expiry)
        assert released is not None and released.released_at is None
        assert await uow.holds.release("cs_2", expiry) is None
        assert await uow.holds.held_dates_between(DAY, DAY, expiry) == set()
        await uow.holds.place(DateHold("cs_3", DAY, expiry + LEASE), expiry)


async def test_a_claimed_message_is_not_claimed_again_until_its_lease_lapses(
    store: MemoryStore,
) -> None:
    async with MemoryUnitOfWork(store) as uow:
        await uow.outbox.add("msg_1", paid_event(1), NOW)
        await uow.outbox.add("msg_2", paid_event(2), NOW)
        first = await uow.outbox.claim(1, NOW, LEASE)
        assert [(m.id, m.attempts) for m in first] == [("msg_1", 1)]
        assert [m.id for m in await uow.outbox.claim(10, NOW, LEASE)] == ["msg_2"]
        assert await uow.outbox.claim(10, NOW + LEASE / 2, LEASE) == []
        # The relay that took them died: after the lease both are due again.
        again = await uow.outbox.claim(10, NOW + LEASE, LEASE)
        assert [(m.id, m.attempts) for m in again] == [("msg_1", 2), ("msg_2", 2)]


async def test_a_message_retried_later_waits_and_a_done_message_never_returns(
    store: MemoryStore,
) -> None:
    async with MemoryUnitOfWork(store) as uow:
        await uow.outbox.add("msg_1", paid_event(1), NOW)
        await uow.outbox.add("msg_2", paid_event(2), NOW)
        await uow.outbox.claim(10, NOW, LEASE)
        await uow.outbox.mark_done("msg_1", NOW)
        await uow.outbox.retry_later("msg_2", "smtp down", NOW + dt.timedelta(minutes=10))
        assert await uow.outbox.claim(10, NOW + dt.timedelta(minutes=9), LEASE) == []
        due = await uow.outbox.claim(10, NOW + dt.timedelta(minutes=10), LEASE)
        assert [(m.id, m.attempts) for m in due] == [("msg_2", 2)]
        await uow.commit()
    assert store.pending_outbox_count() == 1


async def test_transactions_on_one_store_run_one_after_another(store: MemoryStore) -> None:
    make_uow = memory_uow_factory(store)

    async def check_then_hold(session_id: str) -> str:
        async with make_uow() as uow:
            free = await uow.holds.active_on(DAY, NOW) is None
            await asyncio.sleep(0)  # let the other task run between the check and the write
            if free:
                await uow.holds.place(DateHold(session_id, DAY, NOW + LEASE), NOW)
                await uow.commit()
                return "held"
            return "refused"

    outcomes = await asyncio.gather(check_then_hold("cs_1"), check_then_hold("cs_2"))
    assert sorted(outcomes) == ["held", "refused"]


async def test_opening_a_unit_of_work_inside_another_fails_instead_of_hanging(
    store: MemoryStore,
) -> None:
    async with MemoryUnitOfWork(store):
        with pytest.raises(RuntimeError):
            async with MemoryUnitOfWork(store):
                pass


async def test_a_package_update_based_on_an_old_version_is_refused(store: MemoryStore) -> None:
    packages = MemoryPackageRepository(store)
    original = Package.create("pkg_9", "dusk", "Dusk", "", 100_000)
    await packages.add(original)
    await packages.update(dataclasses.replace(original, title="Dusk+", version=2))
    with pytest.raises(StaleVersion):
        await packages.update(dataclasses.replace(original, title="Lost edit", version=2))
    with pytest.raises(Conflict):
        await packages.add(Package.create("pkg_2", "dusk", "Other", "", 1))

