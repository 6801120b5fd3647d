from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from application.queries.availability import AvailabilityQueries
from domain.event_date import EventDate
from entrypoints.http.input_types import DATE_PATTERN
from entrypoints.http.schemas import AvailabilityRead, UnavailableDateRead


class AvailabilityController(Controller):
    path = "/v1/availability"
    tags = ["availability"]

    @get("/", operation_id="getAvailability", summary="Whether one date can be booked")
    async def one_date(
        self,
        availability: NamedDependency[AvailabilityQueries],
        date: Annotated[str, QueryParameter(description="YYYY-MM-DD", pattern=DATE_PATTERN)],
    ) -> AvailabilityRead:
        day = EventDate.parse(date)
        reason = await availability.reason_for(day)
        return AvailabilityRead(str(day), reason is None, reason.value if reason else None)

    @get(
        "/unavailable",
        operation_id="listUnavailableDates",
        summary="Every unavailable date in a range of at most 366 days",
    )
    async def unavailable(
        self,
        availability: NamedDependency[AvailabilityQueries],
        from_: Annotated[str, QueryParameter(name="from", description="YYYY-MM-DD", pattern=DATE_PATTERN)],
        to: Annotated[str, QueryParameter(description="YYYY-MM-DD", pattern=DATE_PATTERN)],
    ) -> list[UnavailableDateRead]:
        found = await availability.unavailable_between(EventDate.parse(from_), EventDate.parse(to))
        return [UnavailableDateRead(str(day), reason.value) for day, reason in found]
