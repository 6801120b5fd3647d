"""Checkout holds: at most one active hold per date."""

from __future__ import annotations

import dataclasses
import datetime as dt

from adapters.memory.storable import check_columns
from adapters.memory.store import MemoryStore
from domain.errors import Conflict, DateUnavailable, TooManyHolds
from domain.event_date import EventDate
from domain.hold import DateHold


class MemoryHoldRepository:
    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    async def place(
        self, hold: DateHold, now: dt.datetime, *, per_owner: int | None = None,
    ) -> list[DateHold]:
        # The store lock serializes whole units of work, so counting here is race-free; a
        # refusal raises before anything changes.
        check_columns("date_hold", session_id=(hold.session_id, 255),
                      correlation_id=(hold.correlation_id, 128), package_id=(hold.package_id, 64),
                      email=(hold.email, 254), client=(hold.client, 64))
        if hold.session_id in self._store.holds:
            raise Conflict(f"checkout session {hold.session_id} already holds a date")
        if await self.active_on(hold.event_date, now) is not None:
            raise DateUnavailable(str(hold.event_date), "held")
        replaced: list[DateHold] = []
        if per_owner is not None:
            await self.refuse_past_limit(hold.email, hold.client, now, per_owner)
            replaced = [h for h in self._store.holds.values()
                        if h.is_active(now) and hold.email and hold.client
                        and (h.email, h.client) == (hold.email, hold.client)]
            replaced = [dataclasses.replace(old, released_at=now) for old in replaced]
            for old in replaced:
                self._store.holds[old.session_id] = old
        for old in list(self._store.holds.values()):
            if old.event_date == hold.event_date and old.released_at is None:
                self._store.holds[old.session_id] = dataclasses.replace(old, released_at=now)
        self._store.holds[hold.session_id] = hold
        return replaced

    async def refuse_past_limit(
        self, email: str, client: str, now: dt.datetime, per_owner: int,
    ) -> None:
        # The couple's own holds from this client do not count: a checkout replaces them.
        theirs = (email, client) if email and client else None
        _check_owner_limits({"client": client, "email": email}, now, per_owner, [
            h for h in self._store.holds.values()
            if h.is_active(now) and (h.email, h.client) != theirs])

    async def get(self, session_id: str) -> DateHold | None:
        return self._store.holds.get(session_id)

    async def release(self, session_id: str, now: dt.datetime) -> DateHold | None:
        hold = self._store.holds.get(session_id)
        if hold is None:
            return None
        self._store.holds[session_id] = dataclasses.replace(
            hold, released_at=hold.released_at or now, settled=True)
        return hold if hold.released_at is None else None

    async def mark_settled(self, session_id: str, now: dt.datetime) -> None:
        await self.release(session_id, now)

    async def active_on(self, date: EventDate, now: dt.datetime) -> DateHold | None:
        for hold in self._store.holds.values():
            if hold.event_date == date and hold.is_active(now):
                return hold
        return None

    async def any_active_for_package(self, package_id: str, now: dt.datetime) -> bool:
        return any(
            h.package_id == package_id and h.is_active(now) for h in self._store.holds.values()
        )

    async def held_dates_between(
        self, start: EventDate, end: EventDate, now: dt.datetime,
    ) -> set[EventDate]:
        return {
            h.event_date for h in self._store.holds.values()
            if h.is_active(now) and start <= h.event_date <= end
        }

    async def claim_unsettled(
        self, now: dt.datetime, limit: int, lease: dt.timedelta,
    ) -> list[DateHold]:
        claims = self._store.reconcile_claims
        due = [
            h for h in self._store.holds.values()
            if not h.settled and h.expires_at <= now
            and (h.session_id not in claims or claims[h.session_id] <= now)
        ]
        due.sort(key=lambda h: (h.expires_at, h.session_id))
        for hold in due[:limit]:
            claims[hold.session_id] = now + lease
        return due[:limit]


def _check_owner_limits(
    owners: dict[str, str], now: dt.datetime, limit: int, active: list[DateHold],
) -> None:
    for owner, value in owners.items():
        if not value:
            continue
        theirs = [h for h in active if getattr(h, owner) == value]
        if len(theirs) >= limit:
            soonest = min(h.expires_at for h in theirs)
            raise TooManyHolds(owner, limit, (soonest - now).total_seconds())
