"""A business calendar held in memory: configured busy days plus the days bookings blocked."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from domain.event_date import EventDate


class MockCalendar:
    """The stand-in for Google Calendar.

    `busy` are the configured busy days (MOCK_CALENDAR_BUSY_DATES). `blocked` maps each event
    id `block_day` made to its (date, booking id). Blocked days count as busy too, as a real
    calendar reports the business's own booking events; the event id is derived from the
    booking, so blocking again for one booking finds the same event.
    """

    def __init__(self, busy: Iterable[EventDate] = ()) -> None:
        self.busy = set(busy)
        self.blocked: dict[str, tuple[EventDate, str]] = {}
        # Event ids per date, so a range read looks days up instead of walking every event.
        self._blocked_on: dict[EventDate, set[str]] = {}

    async def busy_dates(self, start: EventDate, end: EventDate) -> set[EventDate]:
        days = start.days_until(end) + 1
        if days <= 0:
            return set()
        configured = self._in_range(self.busy, start, end, days)
        return configured | self._in_range(self._blocked_on.keys(), start, end, days)

    async def block_day(self, date: EventDate, booking_id: str, title: str) -> str:
        event_id = f"mock-{booking_id}"
        if event_id not in self.blocked:
            self.blocked[event_id] = (date, booking_id)
            self._blocked_on.setdefault(date, set()).add(event_id)
        return event_id

    async def free_day(self, event_id: str) -> None:
        found = self.blocked.pop(event_id, None)
        if found is None:
            return
        ids = self._blocked_on[found[0]]
        ids.discard(event_id)
        if not ids:
            del self._blocked_on[found[0]]

    @staticmethod
    def _in_range(held: Collection[EventDate], start: EventDate, end: EventDate,
                  days: int) -> set[EventDate]:
        # Walk whichever is shorter, the range or the days on record: neither the bookings
        # made so far nor a long range then makes one read slow.
        if days < len(held):
            return {d for d in (start.plus_days(i) for i in range(days)) if d in held}
        return {d for d in held if start <= d <= end}
