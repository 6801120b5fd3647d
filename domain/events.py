"""Domain events: facts in the past tense, recorded by the entity they happened to. Each
carries the journey id of the booking it is about, and what its subscribers need, so none of
them has to read the database again."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DomainEvent:
    # The booking's journey id: the correlation id of the checkout that started it, so the
    # work the event causes (emails, calendar) is found with the rest of the booking.
    correlation_id: str


@dataclass(frozen=True)
class BookingPaid(DomainEvent):
    booking_id: str
    session_id: str
    event_date: str
    email: str
    couple_name: str
    total_cents: int


@dataclass(frozen=True)
class BookingCanceled(DomainEvent):
    booking_id: str
    session_id: str
    event_date: str
    email: str
    couple_name: str
    refunded_cents: int  # 0 when the admin canceled without a refund


@dataclass(frozen=True)
class BookingRefunded(DomainEvent):
    """The payment was refunded at the provider (not by an admin cancel through Elope)."""

    booking_id: str
    session_id: str
    event_date: str
    email: str
    couple_name: str
    amount_cents: int


@dataclass(frozen=True)
class PaidSessionRefunded(DomainEvent):
    """A couple paid but could not be booked (`reason`); their money went back."""

    session_id: str
    event_date: str
    email: str
    couple_name: str
    amount_cents: int
    refund_id: str
    reason: str


EVENT_TYPES: dict[str, type[DomainEvent]] = {
    cls.__name__: cls
    for cls in (BookingPaid, BookingCanceled, BookingRefunded, PaidSessionRefunded)
}
