"""Checkout holds on PostgreSQL: one unreleased hold per date (a partial unique index); a
lapsed hold is released - but left unsettled, for the reconciler - by the next checkout."""

from __future__ import annotations

import datetime as dt

import asyncpg

from adapters.piccolo.statements import Connection
from domain.errors import Conflict, DateUnavailable
from domain.event_date import EventDate
from domain.hold import DateHold

_COLUMNS = "session_id, event_date, expires_at, released_at, correlation_id, package_id, settled"


def _hold(row: asyncpg.Record) -> DateHold:
    return DateHold(
        session_id=row["session_id"], event_date=EventDate(row["event_date"]),
        expires_at=row["expires_at"], released_at=row["released_at"],
        correlation_id=row["correlation_id"], package_id=row["package_id"],
        settled=row["settled"],
    )


class PiccoloHoldRepository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    async def place(self, hold: DateHold, now: dt.datetime) -> None:
        await self._db.execute(
            """UPDATE date_hold SET released_at = $2
               WHERE event_date = $1 AND released_at IS NULL AND expires_at <= $2""",
            hold.event_date.value, now)
        try:
            await self._db.execute(
                f"INSERT INTO date_hold ({_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                hold.session_id, hold.event_date.value, hold.expires_at, hold.released_at,
                hold.correlation_id, hold.package_id, hold.settled)
        except asyncpg.UniqueViolationError as exc:
            if exc.constraint_name == "date_hold_one_unreleased_per_date":
                raise DateUnavailable(str(hold.event_date), "held") from exc
            raise Conflict(f"checkout session {hold.session_id} already holds a date") from exc

    async def get(self, session_id: str) -> DateHold | None:
        row = await self._db.fetchrow(f"SELECT {_COLUMNS} FROM date_hold WHERE session_id = $1",
                                      session_id)
        return _hold(row) if row else None

    async def release(self, session_id: str, now: dt.datetime) -> DateHold | None:
        row = await self._db.fetchrow(
            f"SELECT {_COLUMNS} FROM date_hold WHERE session_id = $1 FOR UPDATE", session_id)
        if row is None:
            return None
        await self._db.execute(
            """UPDATE date_hold SET released_at = COALESCE(released_at, $2), settled = true
               WHERE session_id = $1""", session_id, now)
        return _hold(row) if row["released_at"] is None else None

    async def active_on(self, date: EventDate, now: dt.datetime) -> DateHold | None:
        row = await self._db.fetchrow(
            f"""SELECT {_COLUMNS} FROM date_hold
                WHERE event_date = $1 AND released_at IS NULL AND expires_at > $2""",
            date.value, now)
        return _hold(row) if row else None

    async def any_active_for_package(self, package_id: str, now: dt.datetime) -> bool:
        return bool(await self._db.fetchval(
            """SELECT EXISTS (SELECT 1 FROM date_hold WHERE package_id = $1
                              AND released_at IS NULL AND expires_at > $2)""",
            package_id, now))

    async def held_dates_between(
        self, start: EventDate, end: EventDate, now: dt.datetime,
    ) -> set[EventDate]:
        rows = await self._db.fetch(
            """SELECT event_date FROM date_hold WHERE released_at IS NULL AND expires_at > $3
               AND event_date BETWEEN $1 AND $2""", start.value, end.value, now)
        return {EventDate(r["event_date"]) for r in rows}

    async def unsettled_expired(self, now: dt.datetime, limit: int) -> list[DateHold]:
        rows = await self._db.fetch(
            f"""SELECT {_COLUMNS} FROM date_hold WHERE NOT settled AND expires_at <= $1
                ORDER BY expires_at, session_id LIMIT $2""", now, limit)
        return [_hold(r) for r in rows]
