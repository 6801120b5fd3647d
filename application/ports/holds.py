from __future__ import annotations

import datetime as dt
from typing import Protocol

from domain.event_date import EventDate
from domain.hold import DateHold


class HoldRepository(Protocol):
    """Checkout holds. At most one active (unreleased, unexpired) hold per date, and at most
    a given number per owner (email, client)."""

    async def place(
        self, hold: DateHold, now: dt.datetime, *, per_owner: int | None = None,
    ) -> list[DateHold]:
        """Raises `DateUnavailable('held')` when another active hold covers the date. Lapsed
        holds on the date are released (not settled) to make room.

        With `per_owner`: the active holds of the same email *from the same client* are
        replaced - released (not settled: their sessions may still be paid) and returned, for
        the caller to close at the provider; then, if the hold's email or its client would
        have more than `per_owner` active holds, `TooManyHolds` is raised and nothing
        changes. Counted under a lock per email and per client, so concurrent placements by
        one owner - on any instance - cannot pass the limit together. '' owns nothing."""

    async def refuse_past_limit(
        self, email: str, client: str, now: dt.datetime, per_owner: int,
    ) -> None:
        """`TooManyHolds` if a checkout by this email from this client would be refused by
        `place(..., per_owner=...)` now. Takes no lock and changes nothing: a cheap check
        before a checkout session is opened at the provider, which `place` repeats."""

    async def get(self, session_id: str) -> DateHold | None: ...

    async def release(self, session_id: str, now: dt.datetime) -> DateHold | None:
        """Release and settle a hold; returns it when it was still unreleased, else None."""

    async def mark_settled(self, session_id: str, now: dt.datetime) -> None:
        """`release` without reading anything back, so it may travel in a batch (see
        UnitOfWork.batch); nothing happens when the session has no hold."""

    async def active_on(self, date: EventDate, now: dt.datetime) -> DateHold | None: ...

    async def any_active_for_package(self, package_id: str, now: dt.datetime) -> bool:
        """Whether some couple is in the middle of paying for this package."""

    async def held_dates_between(
        self, start: EventDate, end: EventDate, now: dt.datetime,
    ) -> set[EventDate]: ...

    async def claim_unsettled(
        self, now: dt.datetime, limit: int, lease: dt.timedelta,
    ) -> list[DateHold]:
        """Expired holds whose session's outcome nobody has learned yet (oldest first), taken
        for the reconciler for `lease`: no other claim gets them until it lapses (SKIP LOCKED
        semantics), and a hold that failed waits that long before it is tried again."""
