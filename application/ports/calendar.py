from __future__ import annotations

from typing import Protocol

from domain.event_date import EventDate


class CalendarProvider(Protocol):
    """The business's own calendar (Google Calendar, or a configured list of busy days).

    Days are the business time zone's days. Any error is worth retrying later: writes run
    from the outbox, and a failed read leaves availability to the other sources.
    """

    async def busy_dates(self, start: EventDate, end: EventDate) -> set[EventDate]:
        """Days in [start, end] on which the calendar has any busy time, in one call."""

    async def block_day(self, date: EventDate, booking_id: str, title: str) -> str:
        """Put an all-day busy event on `date` for a booking; returns its event id. Calling it
        again for the same booking gives the same event, not a second one."""

    async def free_day(self, event_id: str) -> None:
        """Remove an event `block_day` made. An event already gone is not an error."""
