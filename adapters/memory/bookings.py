"""Bookings, with the unique indexes and the package foreign key the database has."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable

from adapters.memory.storable import check_columns
from adapters.memory.store import MemoryStore
from application.ports.bookings import BookingCursor, BookingFilter
from domain.booking import Booking
from domain.errors import Conflict, DateAlreadyBooked, NotFound
from domain.event_date import EventDate


def detached(booking: Booking) -> Booking:
    """A copy that shares nothing mutable with the original; pending events stay behind,
    as they would after a round trip through the database."""
    return copy.deepcopy(dataclasses.replace(booking, events=[]))


class MemoryBookingRepository:
    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    async def add(self, booking: Booking) -> None:
        check_columns("booking", id=(booking.id, 64), package_id=(booking.package_id, 64),
                      couple_name=(booking.couple_name, 200), email=(booking.email, 254),
                      phone=(booking.phone, 40), session_id=(booking.session_id, 255),
                      payment_intent_id=(booking.payment_intent_id, 255),
                      correlation_id=(booking.correlation_id, 128))
        for a in booking.add_ons:
            check_columns("booking_add_on", add_on_id=(a.add_on_id, 64), title=(a.title, 200))
        if booking.id in self._store.bookings:
            raise Conflict(f"booking {booking.id} already exists")
        if booking.package_id not in self._store.packages:  # the database's foreign key
            raise NotFound(f"no package '{booking.package_id}'")
        if any(b.session_id == booking.session_id for b in self._store.bookings.values()):
            raise Conflict(f"checkout session {booking.session_id} already made a booking")
        self._check_one_paid_per_date(booking)
        self._store.bookings[booking.id] = detached(booking)

    async def save_status(self, booking: Booking) -> None:
        stored = self._store.bookings.get(booking.id)
        if stored is None:
            raise NotFound(f"no booking '{booking.id}'")
        self._check_one_paid_per_date(booking)
        updated = dataclasses.replace(stored, status=booking.status)
        self._store.bookings[booking.id] = detached(updated)

    async def get(self, booking_id: str) -> Booking | None:
        stored = self._store.bookings.get(booking_id)
        return detached(stored) if stored else None

    async def by_session(self, session_id: str) -> Booking | None:
        return self._first(lambda b: b.session_id == session_id)

    async def by_payment_intent(self, payment_intent_id: str) -> Booking | None:
        return self._first(lambda b: b.payment_intent_id == payment_intent_id)

    async def paid_on(self, date: EventDate) -> Booking | None:
        return self._first(lambda b: b.holds_its_date and b.event_date == date)

    async def paid_dates_between(self, start: EventDate, end: EventDate) -> set[EventDate]:
        return {
            b.event_date for b in self._store.bookings.values()
            if b.holds_its_date and start <= b.event_date <= end
        }

    async def page(
        self, where: BookingFilter, limit: int, after: BookingCursor | None,
    ) -> list[Booking]:
        rows = [b for b in self._store.bookings.values() if _matches(b, where)]
        if after is not None:
            cursor = (after.created_at, after.booking_id)
            rows = [b for b in rows if (b.created_at, b.id) < cursor]
        rows.sort(key=lambda b: (b.created_at, b.id), reverse=True)
        return [detached(b) for b in rows[:limit]]

    async def references_package(self, package_id: str) -> bool:
        return any(b.package_id == package_id for b in self._store.bookings.values())

    async def set_calendar_event(self, booking_id: str, event_id: str | None) -> None:
        if booking_id not in self._store.bookings:
            return  # an UPDATE that matches no row
        if event_id is None:
            self._store.calendar_events.pop(booking_id, None)
        else:
            self._store.calendar_events[booking_id] = event_id

    async def calendar_event(self, booking_id: str) -> str | None:
        return self._store.calendar_events.get(booking_id)

    def _check_one_paid_per_date(self, booking: Booking) -> None:
        # The partial unique index on event_date WHERE status = 'PAID'.
        if not booking.holds_its_date:
            return
        for other in self._store.bookings.values():
            same_date = other.event_date == booking.event_date
            if same_date and other.holds_its_date and other.id != booking.id:
                raise DateAlreadyBooked(str(booking.event_date))

    async def with_calendar_event(self, booking_id: str) -> tuple[Booking, str | None] | None:
        booking = await self.get(booking_id)
        return (booking, await self.calendar_event(booking_id)) if booking else None

    def _first(self, wanted: Callable[[Booking], bool]) -> Booking | None:
        for booking in self._store.bookings.values():
            if wanted(booking):
                return detached(booking)
        return None


def _matches(booking: Booking, where: BookingFilter) -> bool:
    if where.status is not None and booking.status is not where.status:
        return False
    if where.date_from is not None and booking.event_date < where.date_from:
        return False
    return where.date_to is None or booking.event_date <= where.date_to

