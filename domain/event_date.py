"""The day a couple elopes, always read in the business time zone."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from domain.errors import ValidationFailed
from domain.text import shown

_YYYY_MM_DD = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True, order=True)
class EventDate:
    value: dt.date

    @classmethod
    def parse(cls, text: str) -> EventDate:
        """Accept exactly `YYYY-MM-DD`; anything else is a validation error."""
        # fromisoformat alone also takes week dates ("2026-W25-6") and other ISO forms.
        if not isinstance(text, str) or not _YYYY_MM_DD.fullmatch(text):
            raise ValidationFailed(f"'{shown(text)}' is not a date in YYYY-MM-DD form")
        try:
            return cls(dt.date.fromisoformat(text))
        except ValueError:
            raise ValidationFailed(f"'{shown(text)}' is not a date in YYYY-MM-DD form") from None

    @classmethod
    def today(cls, now: dt.datetime, timezone: ZoneInfo) -> EventDate:
        """The business's calendar day at the instant `now` (an aware UTC datetime)."""
        return cls(now.astimezone(timezone).date())

    def plus_days(self, days: int) -> EventDate:
        return EventDate(self.value + dt.timedelta(days=days))

    def days_until(self, other: EventDate) -> int:
        return (other.value - self.value).days

    def __str__(self) -> str:
        return self.value.isoformat()
