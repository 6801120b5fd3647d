"""Turn free/busy intervals into the business's busy days.

Day boundaries are local midnights found with zoneinfo, so a 23- or 25-hour daylight-saving
day has its true length. All comparisons happen in UTC: Python compares two datetimes that
share a tzinfo by wall-clock time, ignoring `fold`, which is wrong across a fall-back hour.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo


def local_midnight(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    """The instant `day` begins in `zone`, as an aware datetime in that zone."""
    # A midnight skipped by a DST jump resolves (fold=0) to the instant the day starts.
    return dt.datetime.combine(day, dt.time(0), tzinfo=zone)


def query_window(start: dt.date, end: dt.date, zone: ZoneInfo) -> tuple[str, str]:
    """RFC 3339 timeMin/timeMax covering the local days [start, end]."""
    first = local_midnight(start, zone)
    after = local_midnight(end + dt.timedelta(days=1), zone)
    return first.isoformat(), after.isoformat()


def parse_instant(text: str) -> dt.datetime:
    """An RFC 3339 timestamp (`Z` or an offset) as an aware UTC datetime."""
    parsed = dt.datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp {text!r} has no offset")
    return parsed.astimezone(dt.UTC)


def _last_day_touched(end: dt.datetime, zone: ZoneInfo) -> dt.date:
    """The local day holding the last instant before `end` (intervals are half-open)."""
    day = end.astimezone(zone).date()
    if local_midnight(day, zone).astimezone(dt.UTC) == end:
        return day - dt.timedelta(days=1)
    return day


def busy_days(
    intervals: Iterable[tuple[dt.datetime, dt.datetime]],
    start: dt.date, end: dt.date, zone: ZoneInfo,
) -> set[dt.date]:
    """Days in [start, end] that any half-open interval [begin, finish) overlaps."""
    found: set[dt.date] = set()
    for begin, finish in intervals:
        begin_utc, finish_utc = begin.astimezone(dt.UTC), finish.astimezone(dt.UTC)
        if finish_utc <= begin_utc:
            continue
        first = max(begin_utc.astimezone(zone).date(), start)
        last = min(_last_day_touched(finish_utc, zone), end)
        day = first
        while day <= last:
            found.add(day)
            day += dt.timedelta(days=1)
    return found
