from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from application.queries.bookings import BookingQueries
from entrypoints.http.schemas import TimelineEntryRead


class AdminSessionsController(Controller):
    """Checkout sessions by their Stripe id: the way to a session that never became a
    booking (refunded because its date was taken, expired, abandoned)."""

    path = "/v1/admin/sessions"
    tags = ["admin"]

    @get(
        "/{session_id:str}/timeline",
        operation_id="adminSessionTimeline",
        summary="Everything that happened to a checkout session, booked or not, in order",
    )
    async def timeline(
        self, bookings: NamedDependency[BookingQueries], session_id: FromPath[str]
    ) -> list[TimelineEntryRead]:
        return [TimelineEntryRead.of(e) for e in await bookings.session_timeline(session_id)]
