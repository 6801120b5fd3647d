from __future__ import annotations

from typing import Protocol

from domain.event_date import EventDate


class CalendarProvider(Protocol):
    """The business's own calendar (Google Calendar, or a configured list of busy days)."""

    async def busy_dates(self, start: EventDate, end: EventDate) -> set[EventDate]:
        """Days in [start, end] the calendar reports busy, in one call."""

    async def mark_busy(self, date: EventDate, booking_id: str) -> None:
        """Block the day for a booking. Idempotent per booking."""
