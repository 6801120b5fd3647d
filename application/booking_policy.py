"""The business rules that come from configuration rather than code."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from domain.availability import BookingWindow
from domain.event_date import EventDate


@dataclass(frozen=True)
class BookingPolicy:
    timezone: ZoneInfo
    horizon_days: int
    hold_minutes: int
    webhook_lease: dt.timedelta = dt.timedelta(minutes=2)

    def window(self, now: dt.datetime) -> BookingWindow:
        return BookingWindow(EventDate.today(now, self.timezone), self.horizon_days)

    def hold_expiry(self, now: dt.datetime) -> dt.datetime:
        return now + dt.timedelta(minutes=self.hold_minutes)
