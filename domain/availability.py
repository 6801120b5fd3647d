"""Whether a date can be sold, and if not, the one reason a couple is told."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from domain.event_date import EventDate


class UnavailableReason(StrEnum):
    # Declared in precedence order: the first that applies is the one reported.
    PAST = "past"
    TOO_FAR = "too_far"
    BLACKOUT = "blackout"
    BOOKED = "booked"
    HELD = "held"
    CALENDAR = "calendar"


@dataclass(frozen=True)
class BookingWindow:
    """The days that can be sold at all: from today to today + horizon, inclusive."""

    today: EventDate
    horizon_days: int

    def reason_outside(self, date: EventDate) -> UnavailableReason | None:
        if date < self.today:
            return UnavailableReason.PAST
        if self.today.days_until(date) > self.horizon_days:
            return UnavailableReason.TOO_FAR
        return None


@dataclass(frozen=True)
class TakenDates:
    """Every date some source says is taken, gathered once per source for a range."""

    blackout: Collection[EventDate] = frozenset()
    booked: Collection[EventDate] = frozenset()
    held: Collection[EventDate] = frozenset()
    calendar: Collection[EventDate] = frozenset()

    def reason_for(self, date: EventDate) -> UnavailableReason | None:
        for reason, dates in (
            (UnavailableReason.BLACKOUT, self.blackout),
            (UnavailableReason.BOOKED, self.booked),
            (UnavailableReason.HELD, self.held),
            (UnavailableReason.CALENDAR, self.calendar),
        ):
            if date in dates:
                return reason
        return None


def unavailable_reason(
    date: EventDate, window: BookingWindow, taken: TakenDates,
) -> UnavailableReason | None:
    """None when the date can be sold; else the highest-precedence reason it cannot."""
    return window.reason_outside(date) or taken.reason_for(date)


def unavailable_days(
    start: EventDate, end: EventDate, window: BookingWindow, taken: TakenDates,
) -> list[tuple[EventDate, UnavailableReason]]:
    """`unavailable_reason` of every day in [start, end] that has one, in date order - found
    from the taken dates instead of asking each day of the range four times (a year's range
    was a few milliseconds of CPU that way)."""
    last_sellable = window.today.plus_days(window.horizon_days)
    reasons: dict[EventDate, UnavailableReason] = {}
    # Lowest precedence first, so a higher one overwrites it.
    for reason, dates in ((UnavailableReason.CALENDAR, taken.calendar),
                          (UnavailableReason.HELD, taken.held),
                          (UnavailableReason.BOOKED, taken.booked),
                          (UnavailableReason.BLACKOUT, taken.blackout)):
        for date in dates:
            if start <= date <= end:
                reasons[date] = reason
    for first, last, reason in ((start, min(end, window.today.plus_days(-1)), UnavailableReason.PAST),
                                (max(start, last_sellable.plus_days(1)), end,
                                 UnavailableReason.TOO_FAR)):
        for offset in range(first.days_until(last) + 1):
            reasons[first.plus_days(offset)] = reason
    return sorted(reasons.items())
