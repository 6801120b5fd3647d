from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from domain.booking import Booking, BookingStatus
from domain.customer import Customer
from domain.event_date import EventDate
from domain.hold import DateHold


@dataclass(frozen=True)
class BookingFilter:
    status: BookingStatus | None = None
    date_from: EventDate | None = None
    date_to: EventDate | None = None


@dataclass(frozen=True)
class BookingCursor:
    """Keyset position: the last row a page showed (newest first)."""

    created_at: dt.datetime
    booking_id: str


class BookingRepository(Protocol):
    """Bookings. At most one PAID booking per date and one booking per session, ever."""

    async def add(self, booking: Booking) -> None:
        """Raises `DateAlreadyBooked` when the date has a PAID booking, `Conflict` when the
        checkout session already made a booking."""

    async def save_status(self, booking: Booking) -> None:
        """Persist a status change of an existing booking."""

    async def get(self, booking_id: str) -> Booking | None: ...

    async def by_session(self, session_id: str) -> Booking | None: ...

    async def by_payment_intent(self, payment_intent_id: str) -> Booking | None: ...

    async def paid_on(self, date: EventDate) -> Booking | None: ...

    async def paid_dates_between(self, start: EventDate, end: EventDate) -> set[EventDate]: ...

    async def page(
        self, where: BookingFilter, limit: int, after: BookingCursor | None,
    ) -> list[Booking]:
        """Newest first by (createdAt, id), strictly after the cursor."""

    async def references_package(self, package_id: str) -> bool: ...


class HoldRepository(Protocol):
    """Checkout holds. At most one active (unreleased, unexpired) hold per date."""

    async def place(self, hold: DateHold, now: dt.datetime) -> None:
        """Raises `DateUnavailable('held')` when another active hold covers the date. Lapsed
        holds on the date are released (not settled) to make room."""

    async def get(self, session_id: str) -> DateHold | None: ...

    async def release(self, session_id: str, now: dt.datetime) -> DateHold | None:
        """Release and settle a hold; returns it when it was still unreleased, else None."""

    async def active_on(self, date: EventDate, now: dt.datetime) -> DateHold | None: ...

    async def any_active_for_package(self, package_id: str, now: dt.datetime) -> bool:
        """Whether some couple is in the middle of paying for this package."""

    async def held_dates_between(
        self, start: EventDate, end: EventDate, now: dt.datetime,
    ) -> set[EventDate]: ...

    async def unsettled_expired(self, now: dt.datetime, limit: int) -> list[DateHold]:
        """Expired holds whose session's outcome nobody has learned yet (oldest first)."""


class CustomerRepository(Protocol):
    async def upsert(self, email: str, name: str, phone: str | None, new_id: str) -> Customer:
        """Insert by email, or update name and phone of the existing customer."""


class EarlyRefundRepository(Protocol):
    """`charge.refunded` events that arrived before their booking existed."""

    async def remember(self, payment_intent_id: str) -> None: ...

    async def take(self, payment_intent_id: str) -> bool:
        """True (and forget it) when a refund was waiting for this payment."""
