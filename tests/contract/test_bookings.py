"""BookingRepository: one PAID booking per date, one booking per session, newest-first pages."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from application.ports.bookings import BookingCursor, BookingFilter
from application.ports.unit_of_work import UnitOfWorkFactory
from domain.booking import BookedAddOn, Booking, BookingStatus
from domain.errors import Conflict, DateAlreadyBooked, NotFound
from domain.money import Money
from tests.contract.samples import DAY, at, booking, day, seed_package

REFUNDED, CANCELED, PAID = BookingStatus.REFUNDED, BookingStatus.CANCELED, BookingStatus.PAID


async def _committed(uow: UnitOfWorkFactory, *bookings: Booking) -> None:
    await seed_package(uow)
    async with uow() as tx:
        for b in bookings:
            await tx.bookings.add(b)
        await tx.commit()


async def test_a_booking_reads_back_whole(uow: UnitOfWorkFactory) -> None:
    add_ons = (BookedAddOn("ao_2", "Photographer", Money(40_000)),
               BookedAddOn("ao_1", "Flowers", Money(5_000)),
               BookedAddOn("ao_1", "Flowers", Money(5_000)))
    original = booking("bk_1", add_ons=add_ons)
    await _committed(uow, original)
    async with uow() as tx:
        stored = await tx.bookings.get("bk_1")
        assert await tx.bookings.get("bk_nope") is None
    assert stored == original
    assert stored is not None
    assert stored.add_ons == add_ons  # order, repeats and the unit prices as sold
    assert stored.created_at.utcoffset() == dt.timedelta(0)
    assert stored.events == []


async def test_a_booking_without_phone_add_ons_or_payment_intent_reads_back(
    uow: UnitOfWorkFactory,
) -> None:
    original = dataclasses.replace(booking("bk_1"), phone=None, payment_intent_id=None)
    await _committed(uow, original)
    async with uow() as tx:
        assert await tx.bookings.get("bk_1") == original


async def test_a_second_paid_booking_on_a_date_is_refused(uow: UnitOfWorkFactory) -> None:
    await _committed(uow, booking("bk_1"))
    async with uow() as tx:
        with pytest.raises(DateAlreadyBooked):
            await tx.bookings.add(booking("bk_2"))
    async with uow() as tx:
        assert await tx.bookings.get("bk_2") is None


@pytest.mark.parametrize("status", [REFUNDED, CANCELED])
async def test_refunded_and_canceled_bookings_do_not_hold_their_date(
    uow: UnitOfWorkFactory, status: BookingStatus,
) -> None:
    await _committed(uow, booking("bk_old", status=status), booking("bk_old2", status=status))
    async with uow() as tx:
        await tx.bookings.add(booking("bk_new"))
        await tx.commit()
    async with uow() as tx:
        paid = await tx.bookings.paid_on(DAY)
    assert paid is not None
    assert paid.id == "bk_new"


async def test_a_session_makes_one_booking_ever(uow: UnitOfWorkFactory) -> None:
    await _committed(uow, booking("bk_1", "cs_1", status=CANCELED))
    async with uow() as tx:
        with pytest.raises(Conflict):
            await tx.bookings.add(booking("bk_2", "cs_1", date=day(1)))


async def test_a_booking_of_an_unknown_package_is_not_found(uow: UnitOfWorkFactory) -> None:
    async with uow() as tx:
        with pytest.raises(NotFound):
            await tx.bookings.add(booking("bk_1", package_id="pkg_nope"))


async def test_save_status_changes_the_status_only(uow: UnitOfWorkFactory) -> None:
    await _committed(uow, booking("bk_1"))
    async with uow() as tx:
        current = await tx.bookings.get("bk_1")
        assert current is not None
        current.mark_refunded()
        await tx.bookings.save_status(current)
        await tx.commit()
    async with uow() as tx:
        assert await tx.bookings.get("bk_1") == booking("bk_1", status=REFUNDED)
        assert await tx.bookings.paid_on(DAY) is None


async def test_save_status_stores_nothing_but_the_status(uow: UnitOfWorkFactory) -> None:
    await _committed(uow, booking("bk_1"))
    async with uow() as tx:
        await tx.bookings.save_status(dataclasses.replace(
            booking("bk_1", status=CANCELED), couple_name="Someone else", total=Money(1)))
        await tx.commit()
    async with uow() as tx:
        assert await tx.bookings.get("bk_1") == booking("bk_1", status=CANCELED)


async def test_a_booking_read_is_the_callers_copy(uow: UnitOfWorkFactory) -> None:
    await _committed(uow, booking("bk_1"))
    async with uow() as tx:
        loaded = await tx.bookings.get("bk_1")
        assert loaded is not None
        loaded.mark_refunded()  # changed, but never saved
        assert await tx.bookings.get("bk_1") == booking("bk_1")


async def test_save_status_of_a_missing_booking_is_not_found(uow: UnitOfWorkFactory) -> None:
    async with uow() as tx:
        with pytest.raises(NotFound):
            await tx.bookings.save_status(booking("bk_nope"))


async def test_save_status_cannot_make_a_second_paid_booking_on_a_date(
    uow: UnitOfWorkFactory,
) -> None:
    await _committed(uow, booking("bk_1"), booking("bk_2", status=CANCELED))
    async with uow() as tx:
        with pytest.raises(DateAlreadyBooked):
            await tx.bookings.save_status(booking("bk_2", status=PAID))


async def test_lookups_by_session_and_payment_intent(uow: UnitOfWorkFactory) -> None:
    await _committed(uow, booking("bk_1", "cs_1", payment_intent_id="pi_1"),
                     booking("bk_2", "cs_2", date=day(1), payment_intent_id="pi_2"))
    async with uow() as tx:
        assert await tx.bookings.by_session("cs_2") == booking("bk_2", "cs_2", date=day(1),
                                                               payment_intent_id="pi_2")
        found = await tx.bookings.by_payment_intent("pi_1")
        assert found is not None
        assert found.id == "bk_1"
        assert await tx.bookings.by_session("cs_nope") is None
        assert await tx.bookings.by_payment_intent("pi_nope") is None


async def test_paid_on_and_paid_dates_between_see_paid_bookings_only(
    uow: UnitOfWorkFactory,
) -> None:
    await _committed(uow, booking("bk_0", date=day(0)), booking("bk_1", date=day(1), status=REFUNDED),
                     booking("bk_2", date=day(2)), booking("bk_3", date=day(3), status=CANCELED),
                     booking("bk_4", date=day(4)), booking("bk_9", date=day(9)))
    async with uow() as tx:
        assert await tx.bookings.paid_dates_between(day(0), day(4)) == {day(0), day(2), day(4)}
        assert await tx.bookings.paid_dates_between(day(1), day(3)) == {day(2)}
        assert await tx.bookings.paid_dates_between(day(5), day(8)) == set()
        on_day_2 = await tx.bookings.paid_on(day(2))
        assert on_day_2 is not None
        assert on_day_2.id == "bk_2"
        assert await tx.bookings.paid_on(day(1)) is None
        assert await tx.bookings.paid_on(day(5)) is None


async def test_references_package(uow: UnitOfWorkFactory) -> None:
    await _committed(uow, booking("bk_1", status=CANCELED))
    async with uow() as tx:
        assert await tx.bookings.references_package("pkg_sunrise") is True
        assert await tx.bookings.references_package("pkg_other") is False


# Pages: created_at ties on purpose, so the id decides between them.
_ROWS = [
    booking("bk_a", date=day(0), created_at=at(0)),
    booking("bk_b", date=day(1), created_at=at(5), status=REFUNDED),
    booking("bk_c", date=day(2), created_at=at(5)),
    booking("bk_d", date=day(3), created_at=at(5), status=CANCELED),
    booking("bk_e", date=day(4), created_at=at(10)),
]


def _ids(rows: list[Booking]) -> list[str]:
    return [b.id for b in rows]


async def test_page_is_newest_first_by_created_at_then_id(uow: UnitOfWorkFactory) -> None:
    await _committed(uow, *_ROWS)
    async with uow() as tx:
        rows = await tx.bookings.page(BookingFilter(), 10, None)
    assert _ids(rows) == ["bk_e", "bk_d", "bk_c", "bk_b", "bk_a"]
    assert rows[1] == _ROWS[3]


async def test_page_continues_strictly_after_the_cursor(uow: UnitOfWorkFactory) -> None:
    await _committed(uow, *_ROWS)
    seen: list[str] = []
    cursor: BookingCursor | None = None
    async with uow() as tx:
        while True:
            rows = await tx.bookings.page(BookingFilter(), 2, cursor)
            if not rows:
                break
            assert len(rows) <= 2
            seen += _ids(rows)
            cursor = BookingCursor(rows[-1].created_at, rows[-1].id)
        # A cursor in the middle of a tie: only the smaller ids of that instant follow.
        tied = await tx.bookings.page(BookingFilter(), 10, BookingCursor(at(5), "bk_c"))
    assert seen == ["bk_e", "bk_d", "bk_c", "bk_b", "bk_a"]
    assert _ids(tied) == ["bk_b", "bk_a"]


async def test_page_filters_by_status_and_an_inclusive_date_range(uow: UnitOfWorkFactory) -> None:
    await _committed(uow, *_ROWS)
    async with uow() as tx:
        paid = await tx.bookings.page(BookingFilter(status=PAID), 10, None)
        ranged = await tx.bookings.page(BookingFilter(date_from=day(1), date_to=day(3)), 10, None)
        since = await tx.bookings.page(BookingFilter(date_from=day(3)), 10, None)
        until = await tx.bookings.page(BookingFilter(date_to=day(0)), 10, None)
        both = await tx.bookings.page(
            BookingFilter(status=PAID, date_from=day(1), date_to=day(4)), 1,
            BookingCursor(at(10), "bk_e"))
    assert _ids(paid) == ["bk_e", "bk_c", "bk_a"]
    assert _ids(ranged) == ["bk_d", "bk_c", "bk_b"]
    assert _ids(since) == ["bk_e", "bk_d"]
    assert _ids(until) == ["bk_a"]
    assert _ids(both) == ["bk_c"]



async def test_a_booking_remembers_its_calendar_event_and_reads_it_with_itself(
    uow: UnitOfWorkFactory,
) -> None:
    await _committed(uow, booking("bk_1"), booking("bk_2", date=day(1)))
    async with uow() as tx:
        assert await tx.bookings.with_calendar_event("bk_1") == (booking("bk_1"), None)
        await tx.bookings.set_calendar_event("bk_1", "evt_cal_1")
        await tx.commit()
    async with uow() as tx:
        assert await tx.bookings.calendar_event("bk_1") == "evt_cal_1"
        assert await tx.bookings.calendar_event("bk_2") is None
        assert await tx.bookings.with_calendar_event("bk_1") == (booking("bk_1"), "evt_cal_1")
        assert await tx.bookings.with_calendar_event("bk_nope") is None
        await tx.bookings.set_calendar_event("bk_1", None)  # forgotten once the day is freed
        await tx.commit()
    async with uow() as tx:
        assert await tx.bookings.calendar_event("bk_1") is None
