"""A business calendar given as a fixed set of busy days (the mock of Google Calendar)."""

from __future__ import annotations

from collections.abc import Iterable

from domain.event_date import EventDate


class MockCalendar:
    def __init__(self, busy: Iterable[EventDate] = ()) -> None:
        self.busy = set(busy)
        # What bookings asked to block, for tests to inspect. Kept apart from `busy`: a
        # booked date is already unavailable as booked, not as a calendar day.
        self.marked: list[tuple[EventDate, str]] = []

    async def busy_dates(self, start: EventDate, end: EventDate) -> set[EventDate]:
        return {d for d in self.busy if start <= d <= end}

    async def mark_busy(self, date: EventDate, booking_id: str) -> None:
        if (date, booking_id) not in self.marked:
            self.marked.append((date, booking_id))
