from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from application.commands import CancelBooking
from application.messaging.bus import MessageBus
from application.ports.bookings import BookingFilter
from application.queries.bookings import BookingQueries
from application.queries.keyset import MAX_PAGE
from domain.booking import BookingStatus
from domain.errors import ValidationFailed
from domain.event_date import EventDate
from entrypoints.http.input_types import DATE_PATTERN
from entrypoints.http.schemas import (
    BookingPageRead,
    BookingRead,
    CancelCreate,
    TimelineEntryRead,
)


def _status(value: str | None) -> BookingStatus | None:
    if not value:
        return None
    try:
        return BookingStatus(value.upper())
    except ValueError:
        raise ValidationFailed(f"status must be one of {', '.join(BookingStatus)}") from None


class AdminBookingsController(Controller):
    path = "/v1/admin/bookings"
    tags = ["admin"]

    @get("/", operation_id="adminListBookings", summary="Bookings, newest first (keyset pages)")
    async def list_bookings(
        self,
        bookings: NamedDependency[BookingQueries],
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE, description="page size")] = 50,
        cursor: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        from_: Annotated[str | None, QueryParameter(name="from", pattern=DATE_PATTERN)] = None,
        to: Annotated[str | None, QueryParameter(pattern=DATE_PATTERN)] = None,
    ) -> BookingPageRead:
        where = BookingFilter(
            status=_status(status),
            date_from=EventDate.parse(from_) if from_ else None,
            date_to=EventDate.parse(to) if to else None,
        )
        page = await bookings.page(where, limit, cursor)
        return BookingPageRead([BookingRead.of(b) for b in page.items], page.next_cursor)

    @post(
        "/{booking_id:str}/cancel",
        operation_id="adminCancelBooking",
        status_code=200,
        summary="Cancel a booking (optionally refunding it) and free its date",
    )
    async def cancel(
        self,
        bus: NamedDependency[MessageBus],
        correlation_id: NamedDependency[str],
        booking_id: FromPath[str],
        data: JSONBody[CancelCreate],
    ) -> BookingRead:
        booking = await bus.handle(
            CancelBooking(booking_id=booking_id, refund=data.refund, correlation_id=correlation_id)
        )
        return BookingRead.of(booking)

    @get(
        "/{booking_id:str}/timeline",
        operation_id="adminBookingTimeline",
        summary="Everything that happened to a booking, in order",
    )
    async def timeline(
        self, bookings: NamedDependency[BookingQueries], booking_id: FromPath[str]
    ) -> list[TimelineEntryRead]:
        return [TimelineEntryRead.of(e) for e in await bookings.timeline(booking_id)]
