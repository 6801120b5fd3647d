from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from domain.booking import Booking, BookingStatus
from domain.event_date import EventDate


@dataclass(frozen=True)
class BookingFilter:
    status: BookingStatus | None = None
    date_from: EventDate | None = None
    date_to: EventDate | None = None


@dataclass(frozen=True)
class BookingCursor:
    """Keyset position: the last row a page showed (newest first)."""

    created_at: dt.datetime
    booking_id: str


class BookingRepository(Protocol):
    """Bookings. At most one PAID booking per date and one booking per session, ever."""

    async def add(self, booking: Booking) -> None:
        """Raises `DateAlreadyBooked` when the date has a PAID booking, `Conflict` when the
        checkout session already made a booking."""

    async def save_status(self, booking: Booking) -> None:
        """Persist a status change of an existing booking."""

    async def get(self, booking_id: str) -> Booking | None: ...

    async def by_session(self, session_id: str) -> Booking | None: ...

    async def by_payment_intent(self, payment_intent_id: str) -> Booking | None: ...

    async def paid_on(self, date: EventDate) -> Booking | None: ...

    async def paid_dates_between(self, start: EventDate, end: EventDate) -> set[EventDate]: ...

    async def page(
        self, where: BookingFilter, limit: int, after: BookingCursor | None,
    ) -> list[Booking]:
        """Newest first by (createdAt, id), strictly after the cursor."""

    async def references_package(self, package_id: str) -> bool: ...

    async def set_calendar_event(self, booking_id: str, event_id: str | None) -> None:
        """Remember (or forget) the calendar event that blocks the booking's day."""

    async def calendar_event(self, booking_id: str) -> str | None: ...

    async def with_calendar_event(self, booking_id: str) -> tuple[Booking, str | None] | None:
        """`get` and `calendar_event` in one read."""

