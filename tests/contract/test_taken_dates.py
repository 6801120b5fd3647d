"""TakenDatesSource: what the database says is taken in a range - blackouts, PAID bookings
and holds active at the instant asked about - read outside any unit of work."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from adapters.memory.taken_dates import MemoryTakenDates
from application.ports.taken_dates import TakenDatesSource
from application.ports.unit_of_work import UnitOfWorkFactory
from domain.blackout import Blackout
from domain.booking import BookingStatus
from tests.contract.samples import DAY, NOW, at, booking, day, hold, seed_package


@pytest.fixture
async def taken(backend_dsn: str | None, uow: UnitOfWorkFactory) -> AsyncIterator[TakenDatesSource]:
    """The source over the same storage as `uow`."""
    if backend_dsn is None:
        yield MemoryTakenDates(uow)
        return
    from adapters.piccolo.database import PiccoloDatabase
    from adapters.piccolo.taken_dates import PiccoloTakenDates

    database = PiccoloDatabase(backend_dsn, pool_min=1, pool_max=2)
    await database.open()
    try:
        yield PiccoloTakenDates(database)
    finally:
        await database.close()


async def test_each_source_reports_its_own_dates_in_the_range(
    uow: UnitOfWorkFactory, taken: TakenDatesSource,
) -> None:
    await seed_package(uow)
    async with uow() as tx:
        await tx.blackouts.add(Blackout("bo_1", day(1), "closed"))
        await tx.bookings.add(booking("bk_1", date=day(2)))
        await tx.holds.place(hold("cs_1", date=day(3)), NOW)
        await tx.commit()

    found = await taken.between(DAY, day(10), NOW)

    assert set(found.blackout) == {day(1)}
    assert set(found.booked) == {day(2)}
    assert set(found.held) == {day(3)}
    assert set(found.calendar) == set()


async def test_refunded_and_canceled_bookings_and_released_or_expired_holds_take_nothing(
    uow: UnitOfWorkFactory, taken: TakenDatesSource,
) -> None:
    await seed_package(uow)
    async with uow() as tx:
        await tx.bookings.add(booking("bk_1", date=day(1), status=BookingStatus.REFUNDED))
        await tx.bookings.add(booking("bk_2", date=day(2), status=BookingStatus.CANCELED))
        await tx.holds.place(hold("cs_1", date=day(3)), NOW)
        await tx.holds.release("cs_1", at(1))
        await tx.holds.place(hold("cs_2", date=day(4), expires_at=at(30)), NOW)
        await tx.commit()

    found = await taken.between(DAY, day(10), at(30))

    assert (set(found.blackout), set(found.booked), set(found.held)) == (set(), set(), set())


async def test_a_hold_counts_until_the_instant_it_expires(
    uow: UnitOfWorkFactory, taken: TakenDatesSource,
) -> None:
    await seed_package(uow)
    async with uow() as tx:
        await tx.holds.place(hold("cs_1", expires_at=at(30)), NOW)
        await tx.commit()

    assert set((await taken.between(DAY, DAY, at(29))).held) == {DAY}
    assert set((await taken.between(DAY, DAY, at(30))).held) == set()


async def test_dates_outside_the_range_are_left_out_and_its_ends_are_included(
    uow: UnitOfWorkFactory, taken: TakenDatesSource,
) -> None:
    await seed_package(uow)
    async with uow() as tx:
        for offset in (-1, 0, 5, 6):
            await tx.blackouts.add(Blackout(f"bo_{offset}", day(offset), None))
        await tx.bookings.add(booking("bk_before", date=day(-1)))
        await tx.bookings.add(booking("bk_first", date=day(0)))
        await tx.bookings.add(booking("bk_after", date=day(6)))
        await tx.holds.place(hold("cs_last", date=day(5)), NOW)
        await tx.holds.place(hold("cs_after", date=day(6)), NOW)
        await tx.commit()

    found = await taken.between(day(0), day(5), NOW)

    assert set(found.blackout) == {day(0), day(5)}
    assert set(found.booked) == {day(0)}
    assert set(found.held) == {day(5)}


async def test_a_date_taken_several_ways_is_reported_by_each_source(
    uow: UnitOfWorkFactory, taken: TakenDatesSource,
) -> None:
    await seed_package(uow)
    async with uow() as tx:
        await tx.blackouts.add(Blackout("bo_1", DAY, None))
        await tx.bookings.add(booking("bk_1"))
        await tx.holds.place(hold("cs_1"), NOW)
        await tx.commit()

    found = await taken.between(DAY, DAY, NOW)

    assert (set(found.blackout), set(found.booked), set(found.held)) == ({DAY}, {DAY}, {DAY})


async def test_writes_a_unit_of_work_rolls_back_are_never_reported(
    uow: UnitOfWorkFactory, taken: TakenDatesSource,
) -> None:
    await seed_package(uow)
    async with uow() as tx:
        await tx.blackouts.add(Blackout("bo_1", DAY, None))
        await tx.holds.place(hold("cs_1"), NOW)
        # Read by another task while the writes are pending (the memory store makes it wait
        # for the unit of work to end; PostgreSQL reads what is committed).
        read = asyncio.create_task(taken.between(DAY, DAY, NOW))
        await asyncio.sleep(0)

    found = await read

    assert (set(found.blackout), set(found.booked), set(found.held)) == (set(), set(), set())
