"""The taken dates on PostgreSQL: blackouts, PAID bookings and active holds in one statement,
on a pooled connection of its own and outside any transaction (one statement is one snapshot,
so the three sources agree with each other)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from piccolo.querystring import QueryString

from adapters.piccolo.database import UNREACHABLE, PiccoloDatabase
from adapters.piccolo.prepared import Prepared
from adapters.piccolo.tables import BlackoutRow, BookingRow, HoldRow
from domain.availability import TakenDates
from domain.errors import StorageUnavailable
from domain.event_date import EventDate


@dataclass(frozen=True)
class TakenDatesRead:
    """What one read found in a range: each active hold with the instant it lapses, so a copy
    kept for a while can tell which of them still count at a later instant."""

    first: EventDate
    last: EventDate
    blackout: frozenset[EventDate] = frozenset()
    booked: frozenset[EventDate] = frozenset()
    hold_ends: Mapping[EventDate, dt.datetime] = field(default_factory=dict)

    def covers(self, start: EventDate, end: EventDate) -> bool:
        return self.first <= start and end <= self.last

    def at(self, start: EventDate, end: EventDate, now: dt.datetime) -> TakenDates:
        """The taken dates in [start, end] (within the range read) at `now`; holds read at an
        earlier instant that have lapsed since count no more."""
        days = start.days_until(end) + 1

        def within(dates: Collection[EventDate]) -> frozenset[EventDate]:
            # Walk whichever is shorter, the range or the dates on record: a one-date read
            # then costs a lookup, however many bookings the window holds.
            if days < len(dates):
                return frozenset(d for d in map(start.plus_days, range(days)) if d in dates)
            return frozenset(d for d in dates if start <= d <= end)

        return TakenDates(blackout=within(self.blackout), booked=within(self.booked),
                          held=frozenset(d for d in within(self.hold_ends.keys())
                                         if now < self.hold_ends[d]))


# Raw: 'PAID' as a literal (as in bookings.py), so that even a generic plan is matched to the
# partial index booking_one_paid_per_date (WHERE status = 'PAID').
_PAID = QueryString("{} = 'PAID'", BookingRow.status)


def _taken_query(start: dt.date, end: dt.date, now: dt.datetime) -> QueryString:
    # The conditions of the repositories' dates_between, paid_dates_between and
    # held_dates_between (the contract suite holds the two presets to the same answers); one
    # UNION ALL (Piccolo has no UNION) makes them one round trip.
    blackouts = BlackoutRow.select(BlackoutRow.date).where(
        (BlackoutRow.date >= start) & (BlackoutRow.date <= end))
    booked = BookingRow.select(BookingRow.event_date).where(
        _PAID, BookingRow.event_date >= start, BookingRow.event_date <= end)
    active = HoldRow.released_at.is_null() & (HoldRow.expires_at > now)
    held = HoldRow.select(HoldRow.event_date, HoldRow.expires_at).where(
        active & (HoldRow.event_date >= start) & (HoldRow.event_date <= end))
    return QueryString(
        "SELECT 'blackout' AS source, b.date AS day, NULL::timestamptz AS ends FROM ({}) b"
        " UNION ALL SELECT 'booked', k.event_date, NULL FROM ({}) k"
        " UNION ALL SELECT 'held', h.event_date, h.expires_at FROM ({}) h",
        blackouts.querystrings[0], booked.querystrings[0], held.querystrings[0])


_TAKEN = Prepared(_taken_query)


class PiccoloTakenDates:
    def __init__(self, database: PiccoloDatabase) -> None:
        self._database = database

    async def between(self, start: EventDate, end: EventDate, now: dt.datetime) -> TakenDates:
        return (await self.read(start, end, now)).at(start, end, now)

    async def read(self, start: EventDate, end: EventDate, now: dt.datetime) -> TakenDatesRead:
        """The taken dates in [start, end], holds as of `now` with their ends."""
        statement = _TAKEN(start.value, end.value, now)
        connection = await self._database.acquire()
        try:
            rows = await connection.fetch(statement.sql, *statement.args)
        except UNREACHABLE as exc:
            await self._database.connections_lost()
            raise StorageUnavailable("the database is unavailable") from exc
        finally:
            await self._database.release(connection)
        found: dict[str, set[EventDate]] = {"blackout": set(), "booked": set()}
        hold_ends: dict[EventDate, dt.datetime] = {}
        for row in rows:
            day = EventDate(row["day"])
            if row["source"] == "held":
                hold_ends[day] = row["ends"]
            else:
                found[row["source"]].add(day)
        return TakenDatesRead(start, end, frozenset(found["blackout"]),
                              frozenset(found["booked"]), hold_ends)
