"""Which dates can be sold: one read of the database's sources and one of the calendar,
side by side, whatever the length of the range."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass

from application.booking_policy import BookingPolicy
from application.ports.calendar import CalendarProvider
from application.ports.clock import Clock
from application.ports.metrics import Metrics
from application.ports.taken_dates import TakenDatesSource
from application.ports.unit_of_work import UnitOfWork
from domain.availability import TakenDates, UnavailableReason, unavailable_days
from domain.errors import ValidationFailed
from domain.event_date import EventDate

log = logging.getLogger("elope.availability")

MAX_RANGE_DAYS = 366


@dataclass(frozen=True)
class AvailabilityQueries:
    taken: TakenDatesSource
    calendar: CalendarProvider
    clock: Clock
    policy: BookingPolicy
    metrics: Metrics

    async def unavailable_between(
        self, start: EventDate, end: EventDate,
    ) -> list[tuple[EventDate, UnavailableReason]]:
        """Every unavailable date in [start, end], with the reason a couple would be told."""
        if end < start:
            raise ValidationFailed("'to' must not be before 'from'")
        if start.days_until(end) + 1 > MAX_RANGE_DAYS:
            raise ValidationFailed(f"a range covers at most {MAX_RANGE_DAYS} days")
        now = self.clock.now()
        window = self.policy.window(now)
        # Only the sellable part of the range needs the sources.
        first = max(start, window.today)
        last = min(end, window.today.plus_days(window.horizon_days))
        taken = TakenDates()
        if first <= last:
            # One after the other: both are usually answered from a cache (the taken dates
            # here, Google's busy days in its adapter), where a task to overlap them would
            # cost more than it saves; uncached, the database read adds a millisecond.
            found = await self.taken.between(first, last, now)
            taken = dataclasses.replace(found, calendar=await self._calendar_busy(first, last))
        return unavailable_days(start, end, window, taken)

    async def _calendar_busy(self, first: EventDate, last: EventDate) -> set[EventDate]:
        """The calendar's busy days; a calendar that cannot be read blocks nothing (bookings,
        holds and blackouts still do), and says so in a log line and a metric."""
        try:
            return await self.calendar.busy_dates(first, last)
        except Exception as exc:
            self.metrics.calendar_failed("read")
            log.warning("calendar could not be read (%s); availability answered from bookings,"
                        " holds and blackouts only", type(exc).__name__)
            return set()

    async def reason_for(self, date: EventDate) -> UnavailableReason | None:
        """None when `date` can be sold, else the highest-precedence reason it cannot."""
        found = await self.unavailable_between(date, date)
        return found[0][1] if found else None


async def closed_since_checked(tx: UnitOfWork, date: EventDate) -> UnavailableReason | None:
    """Booked or blacked out, read inside `tx` under the date's lock: what another process may
    have done to the date since an unlocked availability read. None when it is still open."""
    if await tx.bookings.paid_on(date) is not None:
        return UnavailableReason.BOOKED
    if await tx.blackouts.dates_between(date, date):
        return UnavailableReason.BLACKOUT
    return None
