"""The taken dates of the whole sellable window, read in one statement and kept for a short
while: most availability reads then cost no round trip at all.

Fit for display only. A copy may miss a change for the moment its notification takes; a
checkout never relies on it - it checks its date again under the date's lock, and the unique
index on unreleased holds refuses a second hold (application/handlers/checkout.py).
"""

from __future__ import annotations

import datetime as dt

from adapters.piccolo.taken_dates import PiccoloTakenDates, TakenDatesRead
from application.booking_policy import BookingPolicy
from application.cached_read import CachedRead
from domain.availability import TakenDates
from domain.event_date import EventDate


class CachedTakenDates:
    def __init__(
        self, source: PiccoloTakenDates, policy: BookingPolicy, cache: CachedRead[TakenDatesRead],
    ) -> None:
        self._source = source
        self._policy = policy
        self._cache = cache

    async def between(self, start: EventDate, end: EventDate, now: dt.datetime) -> TakenDates:
        window = self._policy.window(now)
        first, last = window.today, window.today.plus_days(window.horizon_days)

        async def read_window() -> TakenDatesRead:
            return await self._source.read(first, last, now)

        # A copy made before midnight does not reach the window's new last day: read again.
        copy = await self._cache.get(read_window, fits=lambda read: read.covers(start, end))
        if not copy.covers(start, end):  # a range outside the sellable window
            return await self._source.between(start, end, now)
        # The holds count as of `now`, not as of the read: one that lapsed since is free.
        return copy.at(start, end, now)
