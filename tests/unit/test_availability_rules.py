"""Availability: which one reason a couple is told when a date cannot be sold (pure domain)."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest

from domain.availability import (
    BookingWindow,
    TakenDates,
    UnavailableReason,
    unavailable_days,
    unavailable_reason,
)
from domain.event_date import EventDate

TODAY = EventDate(dt.date(2026, 3, 1))
WINDOW = BookingWindow(TODAY, horizon_days=730)


def day(offset: int) -> EventDate:
    return TODAY.plus_days(offset)


def taken_everywhere(date: EventDate) -> TakenDates:
    return TakenDates(blackout={date}, booked={date}, held={date}, calendar={date})


def test_a_free_date_inside_the_window_is_available() -> None:
    assert unavailable_reason(day(10), WINDOW, TakenDates()) is None


def test_today_itself_can_be_sold() -> None:
    assert unavailable_reason(TODAY, WINDOW, TakenDates()) is None


def test_a_past_date_is_past_even_when_every_source_also_takes_it() -> None:
    yesterday = day(-1)
    assert unavailable_reason(yesterday, WINDOW, taken_everywhere(yesterday)) is UnavailableReason.PAST


def test_a_date_beyond_the_horizon_is_too_far_even_when_blacked_out_and_booked() -> None:
    far = day(731)
    assert unavailable_reason(far, WINDOW, taken_everywhere(far)) is UnavailableReason.TOO_FAR


def test_the_last_day_of_the_horizon_is_inclusive_and_the_next_is_too_far() -> None:
    assert unavailable_reason(day(730), WINDOW, TakenDates()) is None
    assert unavailable_reason(day(731), WINDOW, TakenDates()) is UnavailableReason.TOO_FAR


@pytest.mark.parametrize(("sources", "expected"), [
    ({"blackout", "booked", "held", "calendar"}, UnavailableReason.BLACKOUT),
    ({"booked", "held", "calendar"}, UnavailableReason.BOOKED),
    ({"held", "calendar"}, UnavailableReason.HELD),
    ({"calendar"}, UnavailableReason.CALENDAR),
    ({"blackout", "calendar"}, UnavailableReason.BLACKOUT),
    ({"booked", "calendar"}, UnavailableReason.BOOKED),
])
def test_the_first_applicable_reason_wins(sources: set[str], expected: UnavailableReason) -> None:
    date = day(30)
    taken = TakenDates(**{source: {date} for source in sources})
    assert unavailable_reason(date, WINDOW, taken) is expected


def test_a_source_that_takes_another_day_does_not_affect_this_one() -> None:
    taken = taken_everywhere(day(31))
    assert unavailable_reason(day(30), WINDOW, taken) is None


KIRITIMATI = ZoneInfo("Pacific/Kiritimati")  # UTC+14: the first place a new day begins
UTC = ZoneInfo("UTC")


def test_the_same_instant_is_a_later_today_in_kiritimati_than_in_utc() -> None:
    instant = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
    assert EventDate.today(instant, UTC) == EventDate(dt.date(2026, 3, 1))
    assert EventDate.today(instant, KIRITIMATI) == EventDate(dt.date(2026, 3, 2))


def test_a_date_that_is_today_in_utc_is_already_past_in_kiritimati() -> None:
    instant = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
    march_first = EventDate(dt.date(2026, 3, 1))
    in_utc = BookingWindow(EventDate.today(instant, UTC), 730)
    in_kiritimati = BookingWindow(EventDate.today(instant, KIRITIMATI), 730)
    assert unavailable_reason(march_first, in_utc, TakenDates()) is None
    assert unavailable_reason(march_first, in_kiritimati, TakenDates()) is UnavailableReason.PAST


def test_the_horizon_is_counted_from_the_business_today() -> None:
    instant = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
    last_day_in_kiritimati = EventDate(dt.date(2026, 3, 2)).plus_days(730)
    in_utc = BookingWindow(EventDate.today(instant, UTC), 730)
    in_kiritimati = BookingWindow(EventDate.today(instant, KIRITIMATI), 730)
    assert unavailable_reason(last_day_in_kiritimati, in_kiritimati, TakenDates()) is None
    assert unavailable_reason(last_day_in_kiritimati, in_utc, TakenDates()) is UnavailableReason.TOO_FAR


@pytest.mark.parametrize("seed", range(20))
def test_a_ranges_unavailable_days_are_each_days_reason_in_date_order(seed: int) -> None:
    rng = random.Random(seed)
    window = BookingWindow(TODAY, horizon_days=rng.choice([30, 365, 730]))

    def some() -> set[EventDate]:
        return {day(rng.randint(-40, 800)) for _ in range(rng.randint(0, 300))}

    taken = TakenDates(blackout=some(), booked=some(), held=some(), calendar=some())
    start = day(rng.randint(-60, 760))
    end = start.plus_days(rng.randint(0, 365))
    every_day = (start.plus_days(i) for i in range(start.days_until(end) + 1))
    expected = [(d, r) for d in every_day if (r := unavailable_reason(d, window, taken))]
    assert unavailable_days(start, end, window, taken) == expected
