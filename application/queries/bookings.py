"""Bookings as the couple and the admin see them."""

from __future__ import annotations

from dataclasses import dataclass

from application.ports.bookings import BookingCursor, BookingFilter
from application.ports.unit_of_work import UnitOfWorkFactory
from application.queries.keyset import check_limit, cut_page, decode_cursor
from domain.booking import Booking
from domain.errors import NotFound
from domain.timeline import TimelineEntry


@dataclass(frozen=True)
class BookingPage:
    items: list[Booking]
    next_cursor: str | None


class BookingQueries:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def by_id(self, booking_id: str) -> Booking:
        """The booking, or `NotFound`."""
        async with self._uow() as tx:
            booking = await tx.bookings.get(booking_id)
        if booking is None:
            raise NotFound(f"no booking '{booking_id}'")
        return booking

    async def by_session(self, session_id: str) -> Booking | None:
        """The booking a checkout session became, if it became one."""
        async with self._uow() as tx:
            return await tx.bookings.by_session(session_id)

    async def page(self, where: BookingFilter, limit: int, cursor: str | None) -> BookingPage:
        """Newest first; `cursor` is the `next_cursor` of the page before."""
        check_limit(limit)
        after = BookingCursor(*decode_cursor(cursor)) if cursor else None
        async with self._uow() as tx:
            rows = await tx.bookings.page(where, limit + 1, after)
        return BookingPage(*cut_page(rows, limit, lambda b: (b.created_at, b.id)))

    async def timeline(self, booking_id: str) -> list[TimelineEntry]:
        """Everything that happened to the booking's checkout session, in order."""
        async with self._uow() as tx:
            booking = await tx.bookings.get(booking_id)
            if booking is None:
                raise NotFound(f"no booking '{booking_id}'")
            return await tx.timeline.for_session(booking.session_id)

    async def session_timeline(self, session_id: str) -> list[TimelineEntry]:
        """Everything that happened to a checkout session, booked or not (a payment refunded
        because its date was taken has no booking to look it up by)."""
        async with self._uow() as tx:
            entries = await tx.timeline.for_session(session_id)
        if not entries:
            raise NotFound(f"no checkout session '{session_id}'")
        return entries
