"""The benchmark's throwaway databases: made afresh, and read to check what the load did.

Reads go straight to PostgreSQL with asyncpg, never through the service: a check must not
trust the code it checks.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import asyncpg


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def with_database(url: str, name: str) -> str:
    """The same server and user, another database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def through(url: str, host: str, port: int) -> str:
    """The same database, reached at another address (the round-trip proxy)."""
    parts = urlsplit(url)
    user = f"{parts.username}@" if parts.username else ""
    return urlunsplit(parts._replace(netloc=f"{user}{host}:{port}"))


async def recreate(url: str, template: str | None = None) -> None:
    """Drop the database (closing whatever is still connected) and create it anew: empty,
    or a copy of the database named `template`."""
    name = database_name(url)
    admin = await asyncpg.connect(with_database(url, "postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        copy = f' TEMPLATE "{template}"' if template else ""
        await admin.execute(f'CREATE DATABASE "{name}"{copy}')
    finally:
        await admin.close()


async def server_version(url: str) -> str:
    connection = await asyncpg.connect(url)
    try:
        return str(await connection.fetchval("SHOW server_version"))
    finally:
        await connection.close()


async def blackout_dates(url: str) -> set[dt.date]:
    """The dates `elope seed` (or anyone) closed: never offered to a booking."""
    connection = await asyncpg.connect(url)
    try:
        return {row["date"] for row in await connection.fetch("SELECT date FROM blackout")}
    finally:
        await connection.close()


async def package_price(url: str, slug: str) -> tuple[str, int]:
    """(id, price in cents) of a seeded package, for the floor, which has no catalog API."""
    connection = await asyncpg.connect(url)
    try:
        row = await connection.fetchrow("SELECT id, price_cents FROM package WHERE slug = $1", slug)
    finally:
        await connection.close()
    if row is None:
        raise RuntimeError(f"no package '{slug}' in {database_name(url)}")
    return str(row["id"]), int(row["price_cents"])


async def wait_outbox_drained(url: str, stalled_seconds: float = 30.0) -> float:
    """Wait until no outbox message is left undelivered (the relay's backlog is empty);
    seconds waited. TimeoutError once the backlog has not shrunk for `stalled_seconds`: a
    relay that fails every message would otherwise be waited for forever. One connection for
    all the polls: a new one each time would cost PostgreSQL a process start every 50 ms."""
    started = progress_at = time.perf_counter()
    connection = await asyncpg.connect(url)
    try:
        smallest = None
        # Polled: the relay announces no "done", and LISTEN would only say "more work".
        while pending := await connection.fetchval(
                "SELECT count(*) FROM outbox_message WHERE done_at IS NULL"):
            if smallest is None or pending < smallest:
                smallest, progress_at = pending, time.perf_counter()
            elif time.perf_counter() - progress_at > stalled_seconds:
                raise TimeoutError(f"{pending} outbox messages, none delivered for"
                                   f" {stalled_seconds:.0f} s")
            await asyncio.sleep(0.05)
    finally:
        await connection.close()
    return time.perf_counter() - started


async def count_paid_bookings(url: str) -> int:
    connection = await asyncpg.connect(url)
    try:
        return int(await connection.fetchval("SELECT count(*) FROM booking WHERE status = 'PAID'"))
    finally:
        await connection.close()


async def count_holds(url: str, dates: Sequence[dt.date]) -> int:
    """Unreleased holds on `dates`: what the checkouts placed."""
    connection = await asyncpg.connect(url)
    try:
        return int(await connection.fetchval(
            "SELECT count(*) FROM date_hold WHERE released_at IS NULL"
            " AND event_date = ANY($1::date[])", list(dates)))
    finally:
        await connection.close()


@dataclass(frozen=True)
class DateCheck:
    """What the database holds for a set of dates the load booked, one session each."""

    dates: int
    booked_dates: int  # dates with exactly one PAID booking
    paid_bookings: int  # PAID bookings on those dates (more than `dates` would be a bug)

    @property
    def ok(self) -> bool:
        return self.booked_dates == self.dates == self.paid_bookings

    def describe(self) -> str:
        verdict = "OK" if self.ok else "WRONG"
        return (f"db check {verdict}: {self.booked_dates}/{self.dates} dates with one PAID booking,"
                f" {self.paid_bookings} PAID bookings")


async def check_one_booking_per_date(url: str, dates: Sequence[dt.date]) -> DateCheck:
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch(
            "SELECT event_date, count(*) AS n FROM booking"
            " WHERE status = 'PAID' AND event_date = ANY($1::date[]) GROUP BY event_date",
            list(dates))
    finally:
        await connection.close()
    return DateCheck(dates=len(set(dates)), booked_dates=sum(1 for r in rows if r["n"] == 1),
                     paid_bookings=sum(int(r["n"]) for r in rows))


@dataclass(frozen=True)
class OneDateCheck:
    """The sessions paid for one date: who got it, who was refunded (from the timeline)."""

    paid_bookings: int
    refund_entries: int


async def check_one_date(url: str, day: dt.date, session_ids: Sequence[str]) -> OneDateCheck:
    connection = await asyncpg.connect(url)
    try:
        paid = await connection.fetchval(
            "SELECT count(*) FROM booking WHERE event_date = $1 AND status = 'PAID'", day)
        refunds = await connection.fetchval(
            "SELECT count(DISTINCT session_id) FROM timeline_entry"
            " WHERE kind = 'refund' AND session_id = ANY($1::text[])", list(session_ids))
    finally:
        await connection.close()
    return OneDateCheck(int(paid), int(refunds))
