"""The taken dates of the mock preset: its repositories' three reads, in one unit of work.

The memory unit of work holds the store lock from enter to exit, so the three sources are read
as of one moment and never with another unit of work's uncommitted writes - what PostgreSQL's
one statement outside a transaction gives. (Through the unit of work rather than the store
itself, so a test that hands bootstrap a unit of work of its own is read from that.)
"""

from __future__ import annotations

import datetime as dt

from application.ports.unit_of_work import UnitOfWorkFactory
from domain.availability import TakenDates
from domain.event_date import EventDate


class MemoryTakenDates:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def between(self, start: EventDate, end: EventDate, now: dt.datetime) -> TakenDates:
        async with self._uow() as tx:
            return TakenDates(
                blackout=await tx.blackouts.dates_between(start, end),
                booked=await tx.bookings.paid_dates_between(start, end),
                held=await tx.holds.held_dates_between(start, end, now),
            )
