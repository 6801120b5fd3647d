"""Which dates a database can still be asked to book.

A booking takes its date for good, and a checkout holds one for 30 minutes, so every phase
that books needs dates nobody used before. The booking horizon (which the bench raises to
its maximum) bounds them to about 3,650 per database; when a phase needs more than are left,
the runner starts over on a fresh database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

# The most BOOKING_HORIZON_DAYS allows; checkouts are refused beyond it.
HORIZON_DAYS = 3650


class DatesExhausted(RuntimeError):
    """Fewer unused dates are left than a phase asked for."""


class DateBook:
    """Hands out each bookable date once: tomorrow to the horizon, minus closed dates."""

    def __init__(self, today: dt.date, closed: Iterable[dt.date], horizon_days: int = HORIZON_DAYS
                 ) -> None:
        shut = set(closed)
        every = (today + dt.timedelta(days=n) for n in range(1, horizon_days + 1))
        self._free = [day for day in every if day not in shut]
        self._next = 0

    def remaining(self) -> int:
        return len(self._free) - self._next

    def take(self, count: int) -> list[dt.date]:
        if count > self.remaining():
            raise DatesExhausted(f"{count} dates wanted, {self.remaining()} left")
        taken = self._free[self._next:self._next + count]
        self._next += count
        return taken
