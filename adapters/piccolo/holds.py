"""Checkout holds on PostgreSQL: one unreleased hold per date (a partial unique index); a
lapsed hold is released - but left unsettled, for the reconciler - by the next checkout."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg
from piccolo.custom_types import Combinable
from piccolo.query.functions import Coalesce
from piccolo.querystring import QueryString

from adapters.piccolo import hold_owners as owner_limits
from adapters.piccolo.prepared import Prepared
from adapters.piccolo.statements import Connection, execute, fetch, write
from adapters.piccolo.tables import HoldRow
from domain.errors import Conflict, DateUnavailable
from domain.event_date import EventDate
from domain.hold import DateHold

_COLUMNS = (HoldRow.session_id, HoldRow.event_date, HoldRow.expires_at, HoldRow.released_at,
            HoldRow.correlation_id, HoldRow.package_id, HoldRow.settled, HoldRow.email,
            HoldRow.client)
# Raw: Piccolo binds every value as a parameter, and a cached generic plan cannot match
# `settled = $1` to the partial index date_hold_unsettled (WHERE NOT settled); a literal can.
_UNSETTLED = QueryString("NOT {}", HoldRow.settled)


def _hold(row: dict[str, Any]) -> DateHold:
    return DateHold(
        session_id=row["session_id"], event_date=EventDate(row["event_date"]),
        expires_at=row["expires_at"], released_at=row["released_at"],
        correlation_id=row["correlation_id"], package_id=row["package_id"],
        settled=row["settled"], email=row["email"], client=row["client"],
    )


def _active(now: dt.datetime) -> Combinable:
    return HoldRow.released_at.is_null() & (HoldRow.expires_at > now)


_MARK_SETTLED = Prepared(lambda session_id, now: HoldRow.update({
    HoldRow.released_at: Coalesce(HoldRow.released_at, now), HoldRow.settled: True,
}).where(HoldRow.session_id == session_id))


class PiccoloHoldRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    async def place(
        self, hold: DateHold, now: dt.datetime, *, per_owner: int | None = None,
    ) -> list[DateHold]:
        replaced = [] if per_owner is None else await owner_limits.replace_and_count(
            self._connection, hold, now, per_owner)
        await execute(self._connection, HoldRow.update({HoldRow.released_at: now}).where(
            (HoldRow.event_date == hold.event_date.value) & HoldRow.released_at.is_null()
            & (HoldRow.expires_at <= now)))
        try:
            await execute(self._connection, HoldRow.insert(HoldRow(
                session_id=hold.session_id, event_date=hold.event_date.value,
                expires_at=hold.expires_at, released_at=hold.released_at,
                correlation_id=hold.correlation_id, package_id=hold.package_id,
                settled=hold.settled, email=hold.email, client=hold.client,
            )))
        except asyncpg.UniqueViolationError as exc:
            if exc.constraint_name == "date_hold_one_unreleased_per_date":
                raise DateUnavailable(str(hold.event_date), "held") from exc
            raise Conflict(f"checkout session {hold.session_id} already holds a date") from exc
        return [_hold(row) for row in replaced]

    async def refuse_past_limit(
        self, email: str, client: str, now: dt.datetime, per_owner: int,
    ) -> None:
        await owner_limits.refuse_past_limit(self._connection, email, client, now, per_owner)

    async def get(self, session_id: str) -> DateHold | None:
        rows = await fetch(self._connection, HoldRow.select(*_COLUMNS).where(
            HoldRow.session_id == session_id))
        return _hold(rows[0]) if rows else None

    async def release(self, session_id: str, now: dt.datetime) -> DateHold | None:
        # One statement: the row as it was (locked by the subquery) and the update of it.
        rows = await fetch(self._connection, HoldRow.raw(_RELEASE, session_id, now))
        return _hold(rows[0]) if rows and rows[0]["released_at"] is None else None

    async def mark_settled(self, session_id: str, now: dt.datetime) -> None:
        await write(self._connection, _MARK_SETTLED(session_id, now))

    async def active_on(self, date: EventDate, now: dt.datetime) -> DateHold | None:
        rows = await fetch(self._connection, HoldRow.select(*_COLUMNS).where(
            (HoldRow.event_date == date.value) & _active(now)))
        return _hold(rows[0]) if rows else None

    async def any_active_for_package(self, package_id: str, now: dt.datetime) -> bool:
        (row,) = await fetch(self._connection, HoldRow.exists().where(
            (HoldRow.package_id == package_id) & _active(now)))
        return bool(row["exists"])

    async def held_dates_between(
        self, start: EventDate, end: EventDate, now: dt.datetime,
    ) -> set[EventDate]:
        rows = await fetch(self._connection, HoldRow.select(HoldRow.event_date).where(
            _active(now) & (HoldRow.event_date >= start.value) & (HoldRow.event_date <= end.value)))
        return {EventDate(r["event_date"]) for r in rows}

    async def claim_unsettled(
        self, now: dt.datetime, limit: int, lease: dt.timedelta,
    ) -> list[DateHold]:
        # One statement: pick the due holds nobody else is claiming (SKIP LOCKED: several
        # reconcilers at once take disjoint sets) and stamp the claim's end on them.
        rows = await fetch(self._connection, HoldRow.raw(_CLAIM, now + lease, now, now, limit))
        # UPDATE ... RETURNING keeps no order: put the oldest first again.
        return sorted((_hold(r) for r in rows), key=lambda h: (h.expires_at, h.session_id))


_RELEASE = """
    WITH was AS (SELECT * FROM date_hold WHERE session_id = {} FOR UPDATE)
    UPDATE date_hold SET released_at = coalesce(date_hold.released_at, {}), settled = true
    FROM was WHERE date_hold.session_id = was.session_id
    RETURNING was.session_id, was.event_date, was.expires_at, was.released_at,
              was.correlation_id, was.package_id, was.settled, was.email, was.client"""

_CLAIM = """
    UPDATE date_hold SET reconcile_after = {}
    WHERE session_id IN (
        SELECT session_id FROM date_hold
        WHERE NOT settled AND expires_at <= {}
          AND (reconcile_after IS NULL OR reconcile_after <= {})
        ORDER BY expires_at, session_id
        LIMIT {}
        FOR UPDATE SKIP LOCKED)
    RETURNING session_id, event_date, expires_at, released_at, correlation_id, package_id,
              settled, email, client"""
