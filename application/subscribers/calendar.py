"""Keep the business's calendar in step with bookings."""

from __future__ import annotations

from application.ports.calendar import CalendarProvider
from domain.event_date import EventDate
from domain.events import BookingPaid


async def mark_calendar_busy(event: BookingPaid, *, calendar: CalendarProvider) -> None:
    """The day shows taken in the calendar (idempotent per booking)."""
    await calendar.mark_busy(EventDate.parse(event.event_date), event.booking_id)
