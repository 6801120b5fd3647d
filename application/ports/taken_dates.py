from __future__ import annotations

import datetime as dt
from typing import Protocol

from domain.availability import TakenDates
from domain.event_date import EventDate


class TakenDatesSource(Protocol):
    """The dates the database says are taken, read outside any unit of work: a query needs no
    transaction, and one read of every source answers a whole range.

    Nothing read here is a promise: a checkout checks its date again under the date's lock
    (UnitOfWork.lock_date) before it holds it.
    """

    async def between(self, start: EventDate, end: EventDate, now: dt.datetime) -> TakenDates:
        """Blackouts, PAID bookings and holds active at `now` (neither released nor expired)
        on days in [start, end]; `calendar` is left empty (the calendar is not the database's).
        Raises `StorageUnavailable` when the database cannot be reached."""
